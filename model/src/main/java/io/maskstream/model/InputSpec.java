package io.maskstream.model;

import java.util.Arrays;

/**
 * What a network takes as input: {@code width × height} RGB pixels, normalised per channel as
 * {@code (value/255 - mean) / std}. Part of every bundle's metadata, so serving prepares images exactly
 * as the model was trained.
 *
 * <p>Invariant: sides within {@value #MIN_SIDE}..{@value #MAX_SIDE} px, three finite means and three
 * finite positive stds. Arrays are copied in and out, so an instance never changes.
 */
public record InputSpec(int width, int height, float[] mean, float[] std) {

    /** Smallest side a network input may have. */
    public static final int MIN_SIDE = 8;
    /** Largest side a network input may have; anything larger is a corrupt or absurd bundle. */
    public static final int MAX_SIDE = 4096;

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** Validates and copies. */
    public InputSpec {
        if (width < MIN_SIDE || width > MAX_SIDE || height < MIN_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("input size must be " + MIN_SIDE + ".." + MAX_SIDE + " px per side, got "
                    + width + "x" + height);
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException("input mean and std must have 3 values (R, G, B)");
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || std[c] <= 0f) {
                throw new IllegalArgumentException("input mean must be finite and std finite and > 0, got mean="
                        + Arrays.toString(mean) + " std=" + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** An input of the given size with ImageNet's channel mean and std (the usual choice for CNNs). */
    public static InputSpec imagenet(int width, int height) {
        return new InputSpec(width, height, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** The R, G, B means in 0..1 units (a copy). */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** The R, G, B standard deviations in 0..1 units (a copy). */
    @Override
    public float[] std() {
        return std.clone();
    }

    float mean(int channel) {
        return mean[channel];
    }

    float std(int channel) {
        return std[channel];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec other && width == other.width && height == other.height
                && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * width + height) + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "InputSpec[" + width + "x" + height + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
