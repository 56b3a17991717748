package io.maskstream.processor;

import io.maskstream.model.Box;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.Detection;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.InputSpec;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A detector for topology tests: every solid pure-red rectangle in a frame is a "face" (found by scanning the pixels,
 * so the topology's decoding, batching and cropping run for real; only the network is replaced). Counts its passes.
 */
final class RedBoxDetector implements FaceDetector {

    final AtomicInteger passes = new AtomicInteger();
    final AtomicInteger framesSeen = new AtomicInteger();

    @Override
    public String version() {
        return "red-boxes";
    }

    @Override
    public InputSpec input() {
        return InputSpec.imagenet(64, 48);
    }

    @Override
    public List<List<Detection>> detect(List<DecodedImage> frames) {
        passes.incrementAndGet();
        framesSeen.addAndGet(frames.size());
        List<List<Detection>> out = new ArrayList<>();
        for (DecodedImage f : frames) {
            out.add(find(f.image()));
        }
        return out;
    }

    private static boolean red(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return r > 200 && g < 60 && b < 60;
    }

    private static List<Detection> find(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        boolean[] seen = new boolean[w * h];
        List<Detection> found = new ArrayList<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (seen[y * w + x] || !red(img.getRGB(x, y))) {
                    continue;
                }
                int x2 = x;
                while (x2 + 1 < w && red(img.getRGB(x2 + 1, y))) {
                    x2++;
                }
                int y2 = y;
                while (y2 + 1 < h && red(img.getRGB(x, y2 + 1))) {
                    y2++;
                }
                for (int yy = y; yy <= y2; yy++) {
                    for (int xx = x; xx <= x2; xx++) {
                        seen[yy * w + xx] = true;
                    }
                }
                found.add(new Detection(new Box(x, y, x2 - x + 1, y2 - y + 1), 0.9f));
            }
        }
        return found;
    }

    @Override
    public void close() {
    }
}
