package io.maskstream.synthetic;

import io.maskstream.events.AgeBand;
import io.maskstream.events.Gender;

/**
 * One synthetic person: the same index and generator seed always give the same person (face, hair, clothes,
 * background), whatever else is generated.
 *
 * @param index  position in the generator's population (0-based)
 * @param id     the competition-style id, six digits, e.g. {@code 000042}
 * @param gender gender
 * @param age    age in years
 */
public record SyntheticPerson(int index, String id, Gender gender, int age) {

    /** The race field written to the dataset layout (the competition data holds one value). */
    public static final String RACE = "Asian";

    /** The age band of the competition task (&lt;30, 30–59, ≥60). */
    public AgeBand ageBand() {
        return age < 30 ? AgeBand.UNDER_30 : age < 60 ? AgeBand.FROM_30_TO_59 : AgeBand.FROM_60;
    }
}
