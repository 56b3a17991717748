package io.maskstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * gridnet: a small fully-convolutional face detector in the manner of CenterNet (Zhou et al. 2019, "Objects as
 * Points") with a feature-pyramid top-down path (Lin et al. 2017), sized for two CPU cores.
 *
 * <p>Backbone (every conv 3×3 + batch norm + ReLU): stem /2 16 filters; /4 24; /8 48, 48 (C3); /16 96, 96 (C4);
 * /32 128, 128 (C5). Top-down: 1×1 lateral convs (+ batch norm) bring C5, C4, C3 to 48 channels; each coarser level
 * is upsampled ×2 (nearest) and added to the next finer one, then ReLU; at stride 8 a 3×3 conv (48, BN, ReLU) and a
 * 1×1 conv with bias give {@link FaceGrid#CHANNELS} maps, the {@link HeadLayout#FACE_GRID} output
 * {@code [N,5,H/8,W/8]} (see {@link FaceGrid} for what each channel means). The stride-32 level sees about 215 px
 * of input, enough context for the largest faces (76 px at the 256×192 input); stride 8 (32×24 cells) places
 * the smallest (16 px, two cells) well. The objectness bias starts at {@value #OBJECTNESS_PRIOR_LOGIT} (a prior of
 * 0.1, as CenterNet) so the first steps are not swamped by the loss of 768 background cells.
 *
 * <p>Input sides must be multiples of 32 so the pyramid's levels align. At 256×192: 95 M multiply-adds per frame
 * (counted from the weights' shapes), 453 k trainable parameters, and a forward pass of 1.3 ms per frame in batches
 * of 8 on two AVX2 cores (measured by {@code GridNetTest}; ResNet-18 classifying one 192×256 crop costs 1.8 G).
 */
final class GridNet extends AbstractBlock {

    static final int DEFAULT_WIDTH = 256;
    static final int DEFAULT_HEIGHT = 192;
    /** The coarsest level's stride: input sides must be multiples of it. */
    static final int ALIGNMENT = 32;
    static final float OBJECTNESS_PRIOR_LOGIT = -2.19f;

    private static final int PYRAMID = 48;

    private final Block stem;
    private final Block c3;
    private final Block c4;
    private final Block c5;
    private final Block lateral3;
    private final Block lateral4;
    private final Block lateral5;
    private final Block head;
    private final Block out;

    private GridNet(int channels) {
        super((byte) 1);
        stem = addChildBlock("stem", new Networks.Chain()
                .add("s2", convBnRelu(16, 2))
                .add("s4", convBnRelu(24, 2)));
        c3 = addChildBlock("c3", stage(48));
        c4 = addChildBlock("c4", stage(96));
        c5 = addChildBlock("c5", stage(128));
        lateral3 = addChildBlock("lateral3", lateral());
        lateral4 = addChildBlock("lateral4", lateral());
        lateral5 = addChildBlock("lateral5", lateral());
        head = addChildBlock("head", convBnRelu(PYRAMID, 1));
        out = addChildBlock("out", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(channels).optBias(true)
                .build());
    }

    /** The detector network with {@code channels} output maps ({@link FaceGrid#CHANNELS}; tests build others). */
    static GridNet build(int channels) {
        return new GridNet(channels);
    }

    private static Networks.Chain stage(int filters) {
        return new Networks.Chain().add("down", convBnRelu(filters, 2)).add("conv", convBnRelu(filters, 1));
    }

    private static Networks.Chain lateral() {
        return new Networks.Chain().add("conv", Networks.conv(PYRAMID, 1, 1, 0)).add("bn", Networks.batchNorm());
    }

    private static Networks.Chain convBnRelu(int filters, int stride) {
        return new Networks.Chain()
                .add("conv", Networks.conv(filters, 3, stride, 1))
                .add("bn", Networks.batchNorm())
                .add("relu", Activation.reluBlock());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList f3 = c3.forward(store, stem.forward(store, inputs, training, params), training, params);
        NDList f4 = c4.forward(store, f3, training, params);
        NDList f5 = c5.forward(store, f4, training, params);
        NDArray p5 = lateral5.forward(store, f5, training, params).singletonOrThrow();
        NDArray p4 = Activation.relu(lateral4.forward(store, f4, training, params).singletonOrThrow().add(up(p5)));
        NDArray p3 = Activation.relu(lateral3.forward(store, f3, training, params).singletonOrThrow().add(up(p4)));
        NDList h = head.forward(store, new NDList(p3), training, params);
        return out.forward(store, h, training, params);
    }

    /** Nearest-neighbour ×2 upsampling of an NCHW map. */
    private static NDArray up(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), channels(), in.get(2) / FaceGrid.STRIDE, in.get(3) / FaceGrid.STRIDE)};
    }

    private long channels() {
        return ((Conv2d) out).getOutputShapes(new Shape[] {new Shape(1, PYRAMID, 1, 1)})[0].get(1);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        if (in.get(2) % ALIGNMENT != 0 || in.get(3) % ALIGNMENT != 0) {
            throw new IllegalArgumentException("gridnet needs an input whose sides are multiples of " + ALIGNMENT
                    + ", got " + in.get(3) + "x" + in.get(2));
        }
        Shape[] s = inputShapes;
        stem.initialize(manager, dataType, s);
        s = stem.getOutputShapes(s);
        c3.initialize(manager, dataType, s);
        Shape[] s3 = c3.getOutputShapes(s);
        c4.initialize(manager, dataType, s3);
        Shape[] s4 = c4.getOutputShapes(s3);
        c5.initialize(manager, dataType, s4);
        Shape[] s5 = c5.getOutputShapes(s4);
        lateral3.initialize(manager, dataType, s3);
        lateral4.initialize(manager, dataType, s4);
        lateral5.initialize(manager, dataType, s5);
        Shape[] p3 = lateral3.getOutputShapes(s3);
        head.initialize(manager, dataType, p3);
        out.initialize(manager, dataType, head.getOutputShapes(p3));
        Parameter bias = out.getParameters().get("bias");
        float[] prior = new float[Math.toIntExact(bias.getArray().getShape().get(0))];
        prior[0] = OBJECTNESS_PRIOR_LOGIT;
        bias.getArray().set(prior);
    }
}
