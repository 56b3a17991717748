package io.maskstream.synthetic;

/**
 * How the synthetic generator draws its population and encodes its photos. Defaults follow the competition
 * data: 384×512 photos, about 40 % male, ages skewed young (45 % under 30, 45 % 30–59, 10 % 60 and over),
 * mostly {@code .jpg} with some {@code .png} and {@code .jpeg}.
 *
 * @param seed           generator seed; the same seed gives byte-identical images
 * @param width          image width in pixels
 * @param height         image height in pixels
 * @param maleShare      probability that a person is male
 * @param under30Share   weight of the &lt;30 age band
 * @param from30Share    weight of the 30–59 age band
 * @param from60Share    weight of the ≥60 age band
 * @param jpgShare       weight of {@code .jpg} files in a written dataset
 * @param pngShare       weight of {@code .png} files
 * @param jpegShare      weight of {@code .jpeg} files
 * @param minJpegQuality lowest JPEG quality a photo is encoded at (each photo draws one in range)
 * @param maxJpegQuality highest JPEG quality
 */
public record SyntheticOptions(long seed, int width, int height, double maleShare, double under30Share,
                               double from30Share, double from60Share, double jpgShare, double pngShare,
                               double jpegShare, int minJpegQuality, int maxJpegQuality) {

    public static final int DEFAULT_WIDTH = 384;
    public static final int DEFAULT_HEIGHT = 512;

    public SyntheticOptions {
        if (width < 64 || height < 64 || width > 4096 || height > 4096) {
            throw new IllegalArgumentException("image size must be within 64..4096 pixels per side, was " + width + "x" + height);
        }
        requireShare("maleShare", maleShare);
        requireWeights("age band shares", under30Share, from30Share, from60Share);
        requireWeights("extension shares", jpgShare, pngShare, jpegShare);
        if (minJpegQuality < 1 || maxJpegQuality > 100 || minJpegQuality > maxJpegQuality) {
            throw new IllegalArgumentException("JPEG quality range must lie in 1..100 with min <= max, was "
                    + minJpegQuality + ".." + maxJpegQuality);
        }
    }

    /** The defaults with the given seed. */
    public static SyntheticOptions defaults(long seed) {
        return new SyntheticOptions(seed, DEFAULT_WIDTH, DEFAULT_HEIGHT, 0.4, 0.45, 0.45, 0.10, 0.8, 0.1, 0.1, 75, 92);
    }

    public SyntheticOptions withSeed(long newSeed) {
        return new SyntheticOptions(newSeed, width, height, maleShare, under30Share, from30Share, from60Share, jpgShare,
                pngShare, jpegShare, minJpegQuality, maxJpegQuality);
    }

    public SyntheticOptions withSize(int newWidth, int newHeight) {
        return new SyntheticOptions(seed, newWidth, newHeight, maleShare, under30Share, from30Share, from60Share, jpgShare,
                pngShare, jpegShare, minJpegQuality, maxJpegQuality);
    }

    public SyntheticOptions withMaleShare(double share) {
        return new SyntheticOptions(seed, width, height, share, under30Share, from30Share, from60Share, jpgShare,
                pngShare, jpegShare, minJpegQuality, maxJpegQuality);
    }

    public SyntheticOptions withAgeShares(double under30, double from30, double from60) {
        return new SyntheticOptions(seed, width, height, maleShare, under30, from30, from60, jpgShare, pngShare,
                jpegShare, minJpegQuality, maxJpegQuality);
    }

    public SyntheticOptions withExtensionShares(double jpg, double png, double jpeg) {
        return new SyntheticOptions(seed, width, height, maleShare, under30Share, from30Share, from60Share, jpg, png,
                jpeg, minJpegQuality, maxJpegQuality);
    }

    public SyntheticOptions withJpegQuality(int min, int max) {
        return new SyntheticOptions(seed, width, height, maleShare, under30Share, from30Share, from60Share, jpgShare,
                pngShare, jpegShare, min, max);
    }

    private static void requireShare(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be within 0..1, was " + v);
        }
    }

    private static void requireWeights(String name, double... weights) {
        double total = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(name + " must be non-negative numbers");
            }
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException(name + " must not all be zero");
        }
    }
}
