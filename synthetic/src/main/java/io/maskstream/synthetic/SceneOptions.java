package io.maskstream.synthetic;

/**
 * How synthetic scenes are drawn: frame size, sequence length, how many people, how big their faces.
 *
 * @param width              frame width in pixels
 * @param height             frame height in pixels
 * @param framesPerSequence  frames of one sequence (people walk across its whole length)
 * @param maxPeople          most people in one sequence (each sequence draws 1..maxPeople, or none)
 * @param emptySequenceShare share of sequences with nobody in them
 * @param population         people are drawn from the generator's persons {@code 0..population-1}
 * @param minFaceShare       smallest face box width as a share of the frame width
 * @param maxFaceShare       largest face box width as a share of the frame width
 * @param jpegQuality        JPEG quality of the frames (1-100)
 */
public record SceneOptions(int width, int height, int framesPerSequence, int maxPeople, double emptySequenceShare,
                           int population, double minFaceShare, double maxFaceShare, int jpegQuality) {

    public static final int DEFAULT_WIDTH = 640;
    public static final int DEFAULT_HEIGHT = 480;
    public static final int DEFAULT_FRAMES = 20;

    public SceneOptions {
        if (width < 64 || height < 64 || width > 4096 || height > 4096) {
            throw new IllegalArgumentException("frame size must be within 64..4096 pixels per side, was " + width + "x" + height);
        }
        if (framesPerSequence < 1 || framesPerSequence > 100_000) {
            throw new IllegalArgumentException("frames per sequence must be 1..100000, was " + framesPerSequence);
        }
        if (maxPeople < 0 || maxPeople > 16) {
            throw new IllegalArgumentException("people per sequence must be 0..16, was " + maxPeople);
        }
        if (!(emptySequenceShare >= 0 && emptySequenceShare <= 1)) {
            throw new IllegalArgumentException("empty sequence share must be within 0..1, was " + emptySequenceShare);
        }
        if (population < Math.max(1, maxPeople)) {
            throw new IllegalArgumentException("population must be >= max people per sequence (and >= 1), was " + population);
        }
        if (!(minFaceShare > 0 && minFaceShare <= maxFaceShare && maxFaceShare <= 1)) {
            throw new IllegalArgumentException("face shares must satisfy 0 < min <= max <= 1, were " + minFaceShare
                    + ".." + maxFaceShare);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1..100, was " + jpegQuality);
        }
    }

    /** 640×480, 20 frames per sequence, up to 4 people (1 sequence in 10 empty), faces 6 %–30 % of the width. */
    public static SceneOptions defaults() {
        return new SceneOptions(DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_FRAMES, 4, 0.1, 500, 0.06, 0.30, 88);
    }

    public SceneOptions withSize(int newWidth, int newHeight) {
        return new SceneOptions(newWidth, newHeight, framesPerSequence, maxPeople, emptySequenceShare, population,
                minFaceShare, maxFaceShare, jpegQuality);
    }

    public SceneOptions withFramesPerSequence(int frames) {
        return new SceneOptions(width, height, frames, maxPeople, emptySequenceShare, population, minFaceShare,
                maxFaceShare, jpegQuality);
    }

    public SceneOptions withMaxPeople(int people) {
        return new SceneOptions(width, height, framesPerSequence, people, emptySequenceShare, population, minFaceShare,
                maxFaceShare, jpegQuality);
    }

    public SceneOptions withEmptySequenceShare(double share) {
        return new SceneOptions(width, height, framesPerSequence, maxPeople, share, population, minFaceShare,
                maxFaceShare, jpegQuality);
    }
}
