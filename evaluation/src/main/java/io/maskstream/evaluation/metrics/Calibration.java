package io.maskstream.evaluation.metrics;

import io.maskstream.model.LabelCodec;
import io.maskstream.model.Prediction;
import java.util.ArrayList;
import java.util.List;

/**
 * How well a model's confidence matches how often it is right: the expected calibration error (ECE) and the
 * reliability diagram's bins, for the 18-class answer and for each head.
 *
 * <p>Binning (Guo et al. 2017, "On Calibration of Modern Neural Networks"): {@value #BINS} equal-width bins of the
 * confidence on [0, 1], bin {@code m} (1-based) holding confidences in {@code ((m-1)/M, m/M]} (a confidence of exactly 0
 * falls in the first). The confidence of an answer is the probability of the label the model chose: for the 18
 * classes the top class probability, for a head the top probability of that head. Then
 * {@code ECE = Σ_m (n_m / N) · |accuracy_m − meanConfidence_m|}: 0 for a perfectly calibrated model, and for a model
 * always 90 % sure that is right 60 % of the time, 0.3.
 */
public final class Calibration {

    /** Bins of the reliability diagram and the ECE. */
    public static final int BINS = 15;
    /** How the figures are binned, for reports. */
    public static final String BINNING = BINS + " equal-width bins of the chosen label's probability on [0,1], "
            + "bin m holding ((m-1)/" + BINS + ", m/" + BINS + "]; ECE = sum over bins of (count/N)*|accuracy - mean "
            + "confidence| (Guo et al. 2017)";

    /** One bin: its confidence range, how many answers fell in it, their mean confidence and their accuracy. */
    public record Bin(double lower, double upper, int count, double meanConfidence, double accuracy) {
    }

    /** The figures of one kind of answer: the ECE over {@code samples} answers and the bins (empty ones included). */
    public record Result(double ece, int samples, List<Bin> bins) {
    }

    /** Accumulates answers of one kind. */
    public static final class Accumulator {

        private final int[] counts = new int[BINS];
        private final int[] correct = new int[BINS];
        private final double[] confidence = new double[BINS];

        /**
         * Counts one answer given with {@code confidence}.
         *
         * @throws IllegalArgumentException if the confidence is not a probability
         */
        public void add(double confidence, boolean right) {
            if (!(confidence >= 0 && confidence <= 1)) {
                throw new IllegalArgumentException("a confidence must be a probability in [0, 1], got " + confidence);
            }
            int bin = Math.max(0, Math.min(BINS - 1, (int) Math.ceil(confidence * BINS) - 1));
            counts[bin]++;
            this.confidence[bin] += confidence;
            if (right) {
                correct[bin]++;
            }
        }

        /** The ECE and the bins of what was added (ECE 0 and empty bins when nothing was). */
        public Result result() {
            int n = 0;
            for (int c : counts) {
                n += c;
            }
            double ece = 0;
            List<Bin> bins = new ArrayList<>(BINS);
            for (int m = 0; m < BINS; m++) {
                double meanConfidence = counts[m] == 0 ? 0 : confidence[m] / counts[m];
                double accuracy = counts[m] == 0 ? 0 : correct[m] / (double) counts[m];
                if (counts[m] > 0) {
                    ece += counts[m] / (double) n * Math.abs(accuracy - meanConfidence);
                }
                bins.add(new Bin(m / (double) BINS, (m + 1) / (double) BINS, counts[m], meanConfidence, accuracy));
            }
            return new Result(ece, n, List.copyOf(bins));
        }
    }

    /**
     * The figures of one model version: the 18-class answer and each head, and how the spread of the predictions that
     * carried one ({@link Prediction#uncertainty()}) split between right and wrong answers (null when none did).
     */
    public record Summary(Result classes, Result mask, Result gender, Result age, Spread spread) {
    }

    /**
     * Whether the spread tells right from wrong: the mean mask spread of right and of wrong mask answers, and the mean
     * 18-class spread of right and of wrong 18-class answers (0 where there was no such answer), over {@code samples}
     * predictions with uncertainty. A useful spread is larger on the wrong answers.
     */
    public record Spread(int samples, double maskWhenRight, double maskWhenWrong, double classesWhenRight,
                         double classesWhenWrong) {
    }

    private final Accumulator classes = new Accumulator();
    private final Accumulator mask = new Accumulator();
    private final Accumulator gender = new Accumulator();
    private final Accumulator age = new Accumulator();
    /** Sums and counts of the spreads: mask right, mask wrong, classes right, classes wrong. */
    private final double[] spreadSums = new double[4];
    private final int[] spreadCounts = new int[4];
    private int withSpread;

    /** Counts one prediction against the 18-class truth (competition age bands). */
    public void add(int truth, Prediction p) {
        int predicted = p.classCode();
        classes.add(clamp(p.classes()[predicted]), predicted == truth);
        int m = p.maskLabel().ordinal();
        int g = p.genderLabel().ordinal();
        int a = p.ageLabel().ordinal();
        mask.add(clamp(p.mask()[m]), m == LabelCodec.mask(truth).ordinal());
        gender.add(clamp(p.gender()[g]), g == LabelCodec.gender(truth).ordinal());
        age.add(clamp(p.age()[a]), a == LabelCodec.age(truth).ordinal());
        if (p.uncertainty() != null) {
            withSpread++;
            int maskSlot = m == LabelCodec.mask(truth).ordinal() ? 0 : 1;
            spreadSums[maskSlot] += p.uncertainty().mask();
            spreadCounts[maskSlot]++;
            int classSlot = predicted == truth ? 2 : 3;
            spreadSums[classSlot] += p.uncertainty().classes();
            spreadCounts[classSlot]++;
        }
    }

    private double meanSpread(int slot) {
        return spreadCounts[slot] == 0 ? 0 : spreadSums[slot] / spreadCounts[slot];
    }

    /** A probability a float sum put a hair above 1 is 1. */
    private static double clamp(float p) {
        return Math.min(1.0, p);
    }

    /** Every figure so far. */
    public Summary summary() {
        Spread spread = withSpread == 0 ? null
                : new Spread(withSpread, meanSpread(0), meanSpread(1), meanSpread(2), meanSpread(3));
        return new Summary(classes(), mask(), gender(), age(), spread);
    }

    /** The 18-class answer's figures. */
    public Result classes() {
        return classes.result();
    }

    /** The mask head's figures. */
    public Result mask() {
        return mask.result();
    }

    /** The gender head's figures. */
    public Result gender() {
        return gender.result();
    }

    /** The age head's figures. */
    public Result age() {
        return age.result();
    }
}
