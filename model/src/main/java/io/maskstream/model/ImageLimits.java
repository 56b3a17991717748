package io.maskstream.model;

/**
 * What an encoded image may be before we try to decode it: at least {@code minSide} pixels on its shorter
 * side, at most {@code maxPixels} pixels (checked from the header, before decoding) and at most
 * {@code maxBytes} encoded bytes. Keeps a hostile or broken frame from costing more than a bounded
 * amount of memory and time.
 */
public record ImageLimits(int minSide, long maxPixels, int maxBytes) {

    /** Validates. */
    public ImageLimits {
        if (minSide < 1 || maxPixels < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("image limits must be positive, got minSide=" + minSide + ", maxPixels="
                    + maxPixels + ", maxBytes=" + maxBytes);
        }
    }

    /** 16 px minimum side, 100 megapixels, 16 MiB. */
    public static ImageLimits defaults() {
        return new ImageLimits(16, 100_000_000L, 16 * 1024 * 1024);
    }
}
