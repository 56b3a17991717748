package io.maskstream.model;

import java.util.Objects;

/** A face a detector found: its box in the frame's pixels and the detector's confidence, 0..1. */
public record Detection(Box box, float score) {

    /** Validates. */
    public Detection {
        Objects.requireNonNull(box, "box");
        if (!(score >= 0f && score <= 1f)) {
            throw new IllegalArgumentException("a detection score must be within 0..1, got " + score);
        }
    }
}
