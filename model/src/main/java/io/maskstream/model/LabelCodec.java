package io.maskstream.model;

import io.maskstream.events.AgeBand;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;

/**
 * The competition's class numbering: {@code class = mask*6 + gender*3 + age}, where the indices are the
 * enums' ordinals (mask 0 worn / 1 incorrect / 2 none, gender 0 male / 1 female, age 0 &lt;30 / 1 30–59 /
 * 2 ≥60).
 *
 * <p>Invariant: {@code classCode(mask(c), gender(c), age(c)) == c} for every c in 0..17. The static
 * check below fails fast if someone reorders a schema enum, which would silently relabel every model.
 */
public final class LabelCodec {

    /** Number of classes: 3 mask states × 2 genders × 3 age bands. */
    public static final int CLASSES = 18;

    private static final MaskState[] MASKS = MaskState.values();
    private static final Gender[] GENDERS = Gender.values();
    private static final AgeBand[] AGES = AgeBand.values();

    static {
        check(MASKS.length == 3 && MASKS[0] == MaskState.WORN && MASKS[1] == MaskState.INCORRECT
                && MASKS[2] == MaskState.NONE, "MaskState must be WORN, INCORRECT, NONE");
        check(GENDERS.length == 2 && GENDERS[0] == Gender.MALE && GENDERS[1] == Gender.FEMALE,
                "Gender must be MALE, FEMALE");
        check(AGES.length == 3 && AGES[0] == AgeBand.UNDER_30 && AGES[1] == AgeBand.FROM_30_TO_59
                && AGES[2] == AgeBand.FROM_60, "AgeBand must be UNDER_30, FROM_30_TO_59, FROM_60");
    }

    private LabelCodec() {
    }

    /** The class code of a (mask, gender, age band) triple. */
    public static int classCode(MaskState mask, Gender gender, AgeBand age) {
        return mask.ordinal() * 6 + gender.ordinal() * 3 + age.ordinal();
    }

    /** The mask state of a class code. */
    public static MaskState mask(int classCode) {
        return MASKS[checked(classCode) / 6];
    }

    /** The gender of a class code. */
    public static Gender gender(int classCode) {
        return GENDERS[(checked(classCode) / 3) % 2];
    }

    /** The age band of a class code. */
    public static AgeBand age(int classCode) {
        return AGES[checked(classCode) % 3];
    }

    /** A readable name of a class code, e.g. {@code "NONE/FEMALE/FROM_60"} for 17. */
    public static String describe(int classCode) {
        return mask(classCode) + "/" + gender(classCode) + "/" + age(classCode);
    }

    private static int checked(int classCode) {
        if (classCode < 0 || classCode >= CLASSES) {
            throw new IllegalArgumentException("class code must be 0.." + (CLASSES - 1) + ", got " + classCode);
        }
        return classCode;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new ExceptionInInitializerError("the schema enums no longer match the competition numbering: " + what);
        }
    }
}
