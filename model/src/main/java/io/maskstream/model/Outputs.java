package io.maskstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Network outputs to probabilities. For {@link HeadLayout#MULTI_HEAD} each head is a softmax and
 * {@code P(class) = P(mask)·P(gender)·P(age)} (the heads are trained as independent classifiers); for
 * {@link HeadLayout#SINGLE_18} the classes are one softmax and each head is the marginal of the classes.
 * For {@link HeadLayout#MASK_CONDITIONAL_AGE} each of the four outputs is a softmax and the classes are the joint
 * {@code P(m, g, a) = P(m)·P(g)·P(a | masked(m))}, {@code masked(m)} per {@link HeadLayout#maskedForAge}; the heads are
 * its marginals: mask and gender are their own softmaxes, age is the mixture
 * {@code P(a) = P(worn)·P(a | masked) + (P(incorrect) + P(none))·P(a | unmasked)}. The 18-class answer (the argmax of
 * the classes) is so the joint's argmax: its gender is always the gender head's argmax, but its mask and age can
 * differ from the argmaxes of the mask head and of the mixed age (a face the model finds nearly as likely worn as
 * not, whose age it is much surer of when unmasked). Either way every vector of a {@link Prediction} sums to 1.
 */
public final class Outputs {

    static {
        Compute.prepare();
    }

    private Outputs() {
    }

    /**
     * One prediction per row of the logits.
     *
     * @throws IllegalArgumentException if the logits do not have the layout's shapes
     */
    public static List<Prediction> toPredictions(NDList logits, HeadLayout layout) {
        int[] units = layout.units();
        if (logits.size() != units.length) {
            throw new IllegalArgumentException(layout + " needs " + units.length + " output(s), got " + logits.size());
        }
        long rows = -1;
        float[][] probabilities = new float[units.length][];
        for (int i = 0; i < units.length; i++) {
            Shape shape = logits.get(i).getShape();
            if (shape.dimension() != 2 || shape.get(1) != units[i] || (rows >= 0 && shape.get(0) != rows)) {
                throw new IllegalArgumentException(layout + " output " + i + " must be [N," + units[i] + "], got " + shape);
            }
            rows = shape.get(0);
            try (NDArray p = logits.get(i).softmax(1)) {
                probabilities[i] = p.toFloatArray();
            }
        }
        List<Prediction> predictions = new ArrayList<>((int) rows);
        for (int n = 0; n < rows; n++) {
            predictions.add(switch (layout) {
                case MULTI_HEAD -> fromHeads(row(probabilities[0], n, 3), row(probabilities[1], n, 2),
                        row(probabilities[2], n, 3));
                case MASK_CONDITIONAL_AGE -> fromMaskConditionalAge(row(probabilities[0], n, 3),
                        row(probabilities[1], n, 2), row(probabilities[2], n, 3), row(probabilities[3], n, 3));
                default -> fromClasses(row(probabilities[0], n, LabelCodec.CLASSES));
            });
        }
        return predictions;
    }

    /** A prediction from three head distributions; the classes are their product. */
    static Prediction fromHeads(float[] mask, float[] gender, float[] age) {
        float[] classes = new float[LabelCodec.CLASSES];
        for (int m = 0; m < 3; m++) {
            for (int g = 0; g < 2; g++) {
                for (int a = 0; a < 3; a++) {
                    classes[m * 6 + g * 3 + a] = mask[m] * gender[g] * age[a];
                }
            }
        }
        return new Prediction(mask, gender, age, classes);
    }

    /**
     * A prediction from the mask and gender distributions and the two conditional age distributions: the classes are
     * the joint {@code P(m)·P(g)·P(a | masked(m))}, the heads its marginals (see the class comment).
     */
    static Prediction fromMaskConditionalAge(float[] mask, float[] gender, float[] ageMasked, float[] ageUnmasked) {
        float[] classes = new float[LabelCodec.CLASSES];
        for (int m = 0; m < 3; m++) {
            float[] age = HeadLayout.maskedForAge(MaskLabel.values()[m]) ? ageMasked : ageUnmasked;
            for (int g = 0; g < 2; g++) {
                for (int a = 0; a < 3; a++) {
                    classes[m * 6 + g * 3 + a] = mask[m] * gender[g] * age[a];
                }
            }
        }
        // mask and gender exactly as their heads said (the marginals of the joint, without the sums' rounding)
        Prediction marginals = fromClasses(classes);
        return new Prediction(mask.clone(), gender.clone(), marginals.age(), classes);
    }

    /** A prediction from an 18-class distribution; the heads are its marginals. */
    static Prediction fromClasses(float[] classes) {
        float[] mask = new float[3];
        float[] gender = new float[2];
        float[] age = new float[3];
        for (int c = 0; c < LabelCodec.CLASSES; c++) {
            mask[c / 6] += classes[c];
            gender[(c / 3) % 2] += classes[c];
            age[c % 3] += classes[c];
        }
        return new Prediction(mask, gender, age, classes);
    }

    /**
     * The average of two predictions of the same image (test-time augmentation), averaged where the
     * layout's own distributions live so the layout's invariant still holds. For {@link HeadLayout#MASK_CONDITIONAL_AGE}
     * the joints are averaged (a joint again, whose marginals are the averages of the heads).
     */
    static Prediction average(Prediction a, Prediction b, HeadLayout layout) {
        return layout == HeadLayout.MULTI_HEAD
                ? fromHeads(mean(a.mask(), b.mask()), mean(a.gender(), b.gender()), mean(a.age(), b.age()))
                : fromClasses(mean(a.classes(), b.classes()));
    }

    /**
     * The mean of several predictions of the same image (MC-dropout passes), averaged where the layout's own
     * distributions live, as {@link #average}.
     */
    static Prediction mean(List<Prediction> passes, HeadLayout layout) {
        if (passes.isEmpty()) {
            throw new IllegalArgumentException("no predictions to average");
        }
        if (layout == HeadLayout.MULTI_HEAD) {
            float[] mask = new float[3];
            float[] gender = new float[2];
            float[] age = new float[3];
            for (Prediction p : passes) {
                accumulate(mask, p.mask());
                accumulate(gender, p.gender());
                accumulate(age, p.age());
            }
            return fromHeads(scale(mask, passes.size()), scale(gender, passes.size()), scale(age, passes.size()));
        }
        float[] classes = new float[LabelCodec.CLASSES];
        passes.forEach(p -> accumulate(classes, p.classes()));
        return fromClasses(scale(classes, passes.size()));
    }

    private static void accumulate(float[] sum, float[] values) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }

    private static float[] scale(float[] sum, int n) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= n;
        }
        return sum;
    }

    private static float[] mean(float[] a, float[] b) {
        float[] m = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            m[i] = (a[i] + b[i]) * 0.5f;
        }
        return m;
    }

    private static float[] row(float[] values, int n, int width) {
        float[] r = new float[width];
        System.arraycopy(values, n * width, r, 0, width);
        return r;
    }
}
