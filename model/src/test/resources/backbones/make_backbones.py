#!/usr/bin/python3
"""Writes the tiny TorchScript backbones the tests import (random weights, nothing downloaded).

Run with Debian's python3-torch (1.13): /usr/bin/python3 make_backbones.py
Each file is a few KB; the tests use the committed files, this script says how they were made.

  tiny-nchw.pt     [N,3,H,W] -> [N,16,H/4,W/4]  conv/BN/ReLU x2 (a CNN trunk: pooled by the network)
  tiny-nc.pt       [N,3,H,W] -> [N,16]          the same trunk, pooled inside the module (like timm's num_classes=0)
  bad-rank3.pt     [N,3,H,W] -> [N,16,H*W/16]   features flattened to 3 dimensions: neither [N,C] nor [N,C,H,W]
  bad-tuple.pt     [N,3,H,W] -> ([N,16], [N,16]) two outputs
  bad-grey.pt      [N,1,H,W] -> [N,8,...]       a first convolution of 1 channel: fails on an RGB input
"""
import torch
from torch import nn

torch.manual_seed(7)


class Trunk(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())

    def forward(self, x):
        return self.features(x)


class Pooled(Trunk):
    def forward(self, x):
        return self.features(x).mean(dim=(2, 3))


class Rank3(Trunk):
    def forward(self, x):
        return self.features(x).flatten(2)


class Pair(Trunk):
    def forward(self, x):
        f = self.features(x).mean(dim=(2, 3))
        return f, f


class Grey(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


for name, module in [("tiny-nchw.pt", Trunk()), ("tiny-nc.pt", Pooled()), ("bad-rank3.pt", Rank3()),
                     ("bad-tuple.pt", Pair()), ("bad-grey.pt", Grey())]:
    torch.jit.save(torch.jit.script(module.eval()), name)
    print(name)
