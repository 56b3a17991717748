package io.maskstream.producers.synthetic;

/**
 * Who stands in front of a synthetic camera and how they wear their mask, over time: the camera shows one
 * person for {@code stretchFrames} frames, then the next. Each stretch's mask state is drawn with these shares:
 * {@code INCORRECT} with {@code incorrectShare}, {@code NONE} with {@code noneShare}, {@code WORN} otherwise.
 *
 * @param stretchFrames  frames one person stays in front of the camera (at least 1)
 * @param noneShare      probability that a stretch shows an unmasked person
 * @param incorrectShare probability that a stretch shows an incorrectly masked person
 */
public record Scenario(int stretchFrames, double noneShare, double incorrectShare) {

    public Scenario {
        if (stretchFrames < 1) {
            throw new IllegalArgumentException("stretchFrames must be >= 1, was " + stretchFrames);
        }
        if (!(noneShare >= 0 && incorrectShare >= 0 && noneShare + incorrectShare <= 1)) {
            throw new IllegalArgumentException("noneShare and incorrectShare must be >= 0 and sum to at most 1, were "
                    + noneShare + " and " + incorrectShare);
        }
    }

    /** A camera where people wear masks: mostly WORN, some INCORRECT, never NONE. */
    public static Scenario masked(int stretchFrames, double incorrectShare) {
        return new Scenario(stretchFrames, 0, incorrectShare);
    }

    /** A camera where unmasked people show up: {@code noneShare} of the stretches show a NONE person. */
    public static Scenario unmasked(int stretchFrames, double noneShare, double incorrectShare) {
        return new Scenario(stretchFrames, noneShare, Math.min(incorrectShare, 1 - noneShare));
    }
}
