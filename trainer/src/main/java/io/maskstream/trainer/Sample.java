package io.maskstream.trainer;

import io.maskstream.model.PreparedImage;

/**
 * One labeled photo, decoded once: its person (for the split), its competition class (for metrics), its
 * training labels per head (which may use shifted age bands) and the prepared image. The encoded bytes stay
 * too, so another model with another input size (the active one, in the promotion gate) can be evaluated on it.
 */
public record Sample(String personId, String id, int truth, int maskLabel, int genderLabel, int ageLabel, int trainClass,
                     PreparedImage image, byte[] encoded) {
}
