package io.maskstream.trainer;

import io.maskstream.model.AgeBands;
import io.maskstream.model.LabelCodec;
import io.maskstream.model.PreparedImage;

/**
 * One labeled photo, decoded once: its person (for the split), its competition class (for metrics), the person's
 * age in years, the prepared image, and the encoded bytes (so another model with another input size, the active
 * one in the promotion gate, can be evaluated on it). Training labels are derived per training run from that
 * run's age bands ({@code trainer.age.bands}), so models trained on the same samples with different bands (as
 * {@code train --compare} does) each learn their own labels.
 */
public record Sample(String personId, String id, int truth, int ageYears, PreparedImage image, byte[] encoded) {

    public int maskLabel() {
        return LabelCodec.mask(truth).ordinal();
    }

    public int genderLabel() {
        return LabelCodec.gender(truth).ordinal();
    }

    /** The age head's label under {@code bands}. */
    public int ageLabel(AgeBands bands) {
        return bands.band(ageYears).ordinal();
    }

    /** The 18-class label under {@code bands} (the competition's class when they are the competition's). */
    public int trainClass(AgeBands bands) {
        return LabelCodec.classCode(LabelCodec.mask(truth), LabelCodec.gender(truth), bands.band(ageYears));
    }
}
