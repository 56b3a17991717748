package io.maskstream.model;

/**
 * How a detector turns its network's output into faces: the lowest score kept, the IoU above which the weaker of two
 * overlapping boxes is dropped (non-maximum suppression), and the most faces kept per frame.
 */
public record DetectorSettings(float minScore, float nmsIou, int maxFaces) {

    /** Validates. */
    public DetectorSettings {
        if (!(minScore > 0f && minScore < 1f)) {
            throw new IllegalArgumentException("the detector's minimum score must be within (0, 1), got " + minScore);
        }
        if (!(nmsIou > 0f && nmsIou <= 1f)) {
            throw new IllegalArgumentException("the detector's NMS IoU must be within (0, 1], got " + nmsIou);
        }
        if (maxFaces < 1) {
            throw new IllegalArgumentException("the detector must keep at least 1 face per frame, got " + maxFaces);
        }
    }

    /** Score 0.5, NMS at IoU 0.4, up to 32 faces. */
    public static DetectorSettings defaults() {
        return new DetectorSettings(0.5f, 0.4f, 32);
    }
}
