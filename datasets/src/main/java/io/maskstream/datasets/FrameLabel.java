package io.maskstream.datasets;

import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.util.Objects;

/**
 * The ground truth of a labelled image: who is in it and how the mask is worn. A capture carrying a label
 * is published as a {@code LabeledFrame} keyed by {@link #personId()}, so one person's photos stay together.
 *
 * @param personId   the competition folder's id, e.g. {@code 000001}
 * @param gender     the person's gender
 * @param age        age in years
 * @param race       the competition's race field (not a model target), or null
 * @param maskState  how the mask is worn in this photo
 * @param sourcePath path relative to the dataset root, e.g. {@code train/images/000001_female_Asian_45/mask1.jpg}
 */
public record FrameLabel(String personId, Gender gender, int age, String race, MaskState maskState, String sourcePath) {

    public FrameLabel {
        Objects.requireNonNull(personId, "personId");
        Objects.requireNonNull(gender, "gender");
        Objects.requireNonNull(maskState, "maskState");
        Objects.requireNonNull(sourcePath, "sourcePath");
        if (personId.isBlank()) {
            throw new IllegalArgumentException("personId is blank");
        }
    }
}
