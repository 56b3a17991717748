package io.maskstream.model;

import java.util.Arrays;

/**
 * Probabilities for one image: per head ({@code mask} 3, {@code gender} 2, {@code age} 3, indexed by the
 * enums' ordinals) and per class ({@code classes}, 18, indexed by {@link LabelCodec} class code). Each
 * vector sums to 1. The labels are the argmax of each vector; for a {@link HeadLayout#MULTI_HEAD} model the argmax
 * class is exactly the triple of the head argmaxes; for a {@link HeadLayout#MASK_CONDITIONAL_AGE} model the heads are the
 * marginals of the classes and the argmax class is the joint's (its gender is the gender head's argmax, its mask and
 * age may differ from those heads' argmaxes; see {@link Outputs}). {@code uncertainty} is how much the passes behind it
 * disagree (an ensemble's members, MC-dropout samples); null for a single forward pass.
 */
public record Prediction(float[] mask, float[] gender, float[] age, float[] classes, Uncertainty uncertainty) {

    /** A prediction of one forward pass (no uncertainty). */
    public Prediction(float[] mask, float[] gender, float[] age, float[] classes) {
        this(mask, gender, age, classes, null);
    }

    /** Checks the vector lengths. */
    public Prediction {
        if (mask == null || mask.length != 3 || gender == null || gender.length != 2 || age == null || age.length != 3
                || classes == null || classes.length != LabelCodec.CLASSES) {
            throw new IllegalArgumentException("a prediction needs 3 mask, 2 gender, 3 age and 18 class probabilities");
        }
    }

    /** The same probabilities with {@code u} as their uncertainty. */
    public Prediction withUncertainty(Uncertainty u) {
        return new Prediction(mask, gender, age, classes, u);
    }

    /** The most probable mask state. */
    public MaskLabel maskLabel() {
        return MaskLabel.values()[argmax(mask)];
    }

    /** The most probable gender. */
    public GenderLabel genderLabel() {
        return GenderLabel.values()[argmax(gender)];
    }

    /** The most probable age band. */
    public AgeLabel ageLabel() {
        return AgeLabel.values()[argmax(age)];
    }

    /** The most probable of the 18 classes. */
    public int classCode() {
        return argmax(classes);
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prediction p && Arrays.equals(mask, p.mask) && Arrays.equals(gender, p.gender)
                && Arrays.equals(age, p.age) && Arrays.equals(classes, p.classes)
                && java.util.Objects.equals(uncertainty, p.uncertainty);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(classes);
    }

    @Override
    public String toString() {
        return "Prediction[" + LabelCodec.describe(classCode()) + " p=" + classes[classCode()] + ", mask="
                + Arrays.toString(mask) + ", gender=" + Arrays.toString(gender) + ", age=" + Arrays.toString(age)
                + (uncertainty == null ? "" : ", " + uncertainty) + "]";
    }
}
