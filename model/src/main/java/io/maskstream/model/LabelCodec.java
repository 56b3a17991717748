package io.maskstream.model;

/**
 * The competition's class numbering: {@code class = mask*6 + gender*3 + age}, where the indices are the
 * enums' ordinals (mask 0 worn / 1 incorrect / 2 none, gender 0 male / 1 female, age 0 &lt;30 / 1 30–59 /
 * 2 ≥60).
 *
 * <p>Invariant: {@code classCode(mask(c), gender(c), age(c)) == c} for every c in 0..17. The static
 * check below fails fast if someone reorders a label enum, which would silently relabel every model.
 */
public final class LabelCodec {

    /** Number of classes: 3 mask states × 2 genders × 3 age bands. */
    public static final int CLASSES = 18;

    private static final MaskLabel[] MASKS = MaskLabel.values();
    private static final GenderLabel[] GENDERS = GenderLabel.values();
    private static final AgeLabel[] AGES = AgeLabel.values();

    static {
        check(MASKS.length == 3 && MASKS[0] == MaskLabel.WORN && MASKS[1] == MaskLabel.INCORRECT
                && MASKS[2] == MaskLabel.NONE, "MaskLabel must be WORN, INCORRECT, NONE");
        check(GENDERS.length == 2 && GENDERS[0] == GenderLabel.MALE && GENDERS[1] == GenderLabel.FEMALE,
                "GenderLabel must be MALE, FEMALE");
        check(AGES.length == 3 && AGES[0] == AgeLabel.UNDER_30 && AGES[1] == AgeLabel.FROM_30_TO_59
                && AGES[2] == AgeLabel.FROM_60, "AgeLabel must be UNDER_30, FROM_30_TO_59, FROM_60");
    }

    private LabelCodec() {
    }

    /** The class code of a (mask, gender, age band) triple. */
    public static int classCode(MaskLabel mask, GenderLabel gender, AgeLabel age) {
        return classCode(mask.ordinal(), gender.ordinal(), age.ordinal());
    }

    /**
     * The class code of head label indices (the ordinals of the label enums, or of the event enums, which share
     * them): mask 0..2, gender 0..1, age 0..2.
     */
    public static int classCode(int mask, int gender, int age) {
        if (mask < 0 || mask > 2 || gender < 0 || gender > 1 || age < 0 || age > 2) {
            throw new IllegalArgumentException("label indices out of range: mask " + mask + ", gender " + gender
                    + ", age " + age);
        }
        return mask * 6 + gender * 3 + age;
    }

    /** The mask state of a class code. */
    public static MaskLabel mask(int classCode) {
        return MASKS[checked(classCode) / 6];
    }

    /** The gender of a class code. */
    public static GenderLabel gender(int classCode) {
        return GENDERS[(checked(classCode) / 3) % 2];
    }

    /** The age band of a class code. */
    public static AgeLabel age(int classCode) {
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
            throw new ExceptionInInitializerError("the label enums no longer match the competition numbering: " + what);
        }
    }
}
