package io.maskstream.model;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * An image decoded and resized to a network's input size: {@code rgb} holds {@code height × width × 3}
 * bytes, row by row, R G B per pixel. {@code sourceWidth/sourceHeight} are the encoded image's size.
 *
 * <p>For speed the byte array is shared, not copied: treat it as read-only.
 */
public record PreparedImage(int width, int height, byte[] rgb, int sourceWidth, int sourceHeight) {

    /** Validates that the pixel array matches the size. */
    public PreparedImage {
        if (width < 1 || height < 1 || rgb == null || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("a prepared image needs width*height*3 RGB bytes; got " + width + "x"
                    + height + " and " + (rgb == null ? "no" : String.valueOf(rgb.length)) + " bytes");
        }
    }

    /** An all-black {@code width × height} image: what a loader's warm-up pass checks the output shapes with. */
    public static PreparedImage black(int width, int height) {
        return new PreparedImage(width, height, new byte[width * height * 3], width, height);
    }

    /**
     * The images a loader compares two forms of its network on ({@link BatchNormFolding}): {@link #black} and a fixed
     * non-trivial image (colour gradients with seeded noise), the same bytes on every load.
     */
    static List<PreparedImage> probes(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        Random random = new Random(19);
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] base = {255 * x / width, 255 * y / height, 255 * (x + y) / (width + height)};
                for (int c = 0; c < 3; c++) {
                    rgb[i++] = (byte) Math.max(0, Math.min(255, base[c] + random.nextInt(81) - 40));
                }
            }
        }
        return List.of(black(width, height), new PreparedImage(width, height, rgb, width, height));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreparedImage other && width == other.width && height == other.height
                && sourceWidth == other.sourceWidth && sourceHeight == other.sourceHeight && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "PreparedImage[" + width + "x" + height + " from " + sourceWidth + "x" + sourceHeight + "]";
    }
}
