package io.maskstream.trainer;

import io.maskstream.model.Box;
import io.maskstream.model.PreparedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training-time augmentation of a letterboxed frame and its face boxes together (input pixels): a horizontal flip,
 * a scale jitter with a shift (faces get larger or smaller than the camera showed them, and move), and brightness /
 * contrast / channel-gain jitter. The pixels go through {@link Augmenter}'s operations, so classifier and detector
 * augment alike; every box goes through the same geometry as the pixels.
 *
 * <p>Invariant: a box is kept, clipped to the input, when at least half of it stays inside; a face pushed mostly out
 * is dropped from the truth.
 */
final class SceneAugmenter {

    /** An augmented frame and its faces. */
    record Augmented(PreparedImage image, List<Box> faces) {
    }

    private static final double MIN_VISIBLE = 0.5;

    private final Random random;
    private final double maxScaleJitter;

    /** @param maxScaleJitter faces are scaled by {@code 1 ± maxScaleJitter} (0 for none) */
    SceneAugmenter(long seed, double maxScaleJitter) {
        this.random = new Random(seed);
        this.maxScaleJitter = maxScaleJitter;
    }

    Augmented apply(PreparedImage in, List<Box> faces) {
        int w = in.width();
        int h = in.height();
        boolean flip = random.nextBoolean();
        boolean geometry = maxScaleJitter > 0 && random.nextDouble() < 0.5;
        double scale = geometry ? 1 + (random.nextDouble() * 2 - 1) * maxScaleJitter : 1;
        double dx = geometry ? (random.nextDouble() * 2 - 1) * 0.1 * w : 0;
        double dy = geometry ? (random.nextDouble() * 2 - 1) * 0.1 * h : 0;
        byte[] px = geometry ? Augmenter.geometry(in.rgb(), w, h, flip, dx, dy, scale, 0)
                : flip ? Augmenter.flip(in.rgb(), w, h) : in.rgb().clone();
        if (random.nextDouble() < 0.8) {
            Augmenter.colour(px, 1 + (random.nextDouble() * 2 - 1) * 0.3, (random.nextDouble() * 2 - 1) * 30,
                    new double[] {1 + (random.nextDouble() * 2 - 1) * 0.06, 1 + (random.nextDouble() * 2 - 1) * 0.06,
                        1 + (random.nextDouble() * 2 - 1) * 0.06});
        }
        return new Augmented(new PreparedImage(w, h, px, in.sourceWidth(), in.sourceHeight()),
                transform(faces, w, h, flip, dx, dy, scale));
    }

    /** The boxes as {@link Augmenter#geometry} moves the pixels: flip, then scale about the centre, then shift. */
    static List<Box> transform(List<Box> faces, int w, int h, boolean flip, double dx, double dy, double scale) {
        List<Box> out = new ArrayList<>(faces.size());
        for (Box b : faces) {
            double x = flip ? w - b.right() : b.x();
            Box moved = new Box((x - w / 2.0) * scale + w / 2.0 + dx, (b.y() - h / 2.0) * scale + h / 2.0 + dy,
                    b.w() * scale, b.h() * scale);
            Box inside = moved.clip(w, h);
            if (inside != null && inside.area() >= MIN_VISIBLE * moved.area()) {
                out.add(inside);
            }
        }
        return out;
    }
}
