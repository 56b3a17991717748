package io.maskstream.evaluation.drift;

/**
 * The population stability index of a live histogram against a reference:
 * <pre>
 *   PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
 * </pre>
 * over the bins {@code i}, where {@code a_i} and {@code e_i} are the live and the reference shares of bin {@code i}.
 * Shares are smoothed ({@link #shares}: {@value #SMOOTHING} of a count added to every bin) so that an empty bin on
 * either side gives a finite, small term instead of an infinite one. PSI is 0 for identical shares, never negative,
 * and symmetric; the usual reading is below 0.1 no shift, 0.1 to 0.25 moderate, above 0.25 a significant shift.
 *
 * <p>On frames drawn from the reference itself it is not 0: for {@code k} bins and {@code n} live frames it is about
 * {@code (k − 1) / n} plus the same for the reference's sample count (chi-square noise), which is why windows must
 * be several times the number of bins (18 classes: 300 frames give about 0.06).
 */
public final class Psi {

    /** Counts added to every bin before the shares are taken (Jeffreys' prior, half a count). */
    public static final double SMOOTHING = 0.5;

    private Psi() {
    }

    /** Smoothed shares of {@code counts}: {@code (c_i + 0.5) / (Σc + 0.5 k)}; they sum to 1. */
    public static double[] shares(int[] counts) {
        double total = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("negative count " + c);
            }
            total += c;
        }
        double denominator = total + SMOOTHING * counts.length;
        double[] shares = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            shares[i] = (counts[i] + SMOOTHING) / denominator;
        }
        return shares;
    }

    /** PSI of the live {@code counts} (smoothed by {@link #shares}) against the reference {@code expected} shares. */
    public static double of(int[] counts, double[] expected) {
        if (counts.length != expected.length || counts.length == 0) {
            throw new IllegalArgumentException("need the same, non-zero number of bins: " + counts.length + " live, "
                    + expected.length + " reference");
        }
        return of(shares(counts), expected);
    }

    /** PSI of {@code actual} against {@code expected}, both shares without zeros, bin for bin. */
    public static double of(double[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException(actual.length + " live bins, " + expected.length + " reference bins");
        }
        double psi = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!(actual[i] > 0) || !(expected[i] > 0)) {
                throw new IllegalArgumentException("bin " + i + " has share " + actual[i] + " / " + expected[i]
                        + ": smooth the shares first");
            }
            psi += (actual[i] - expected[i]) * Math.log(actual[i] / expected[i]);
        }
        return psi;
    }
}
