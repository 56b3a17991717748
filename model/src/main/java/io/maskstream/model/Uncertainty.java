package io.maskstream.model;

import java.util.List;
import java.util.Objects;

/**
 * How much several forward passes of one image disagree: the members of an ensemble, or the passes of MC-dropout.
 * Per head, {@code spread} is the standard deviation across passes of the probability each pass gives the combined
 * prediction's label of that head ({@code classes}: of its 18-class code); 0 when every pass agrees exactly.
 * {@code agreement} is the share of passes whose own 18-class answer is the combined one (1 when all agree).
 *
 * @param method {@link #ENSEMBLE} or {@link #MC_DROPOUT}
 * @param passes how many passes the figures come from (at least 2)
 */
public record Uncertainty(String method, int passes, float mask, float gender, float age, float classes, float agreement) {

    /** The passes are an ensemble's members. */
    public static final String ENSEMBLE = "ensemble";
    /** The passes are MC-dropout samples of one network. */
    public static final String MC_DROPOUT = "mc-dropout";

    /** Checks the method and the ranges. */
    public Uncertainty {
        Objects.requireNonNull(method, "method");
        if (passes < 2) {
            throw new IllegalArgumentException("uncertainty needs at least 2 passes, got " + passes);
        }
        if (!(agreement >= 0 && agreement <= 1)) {
            throw new IllegalArgumentException("agreement must be in [0, 1], got " + agreement);
        }
    }

    /**
     * The spread of {@code passes} around {@code combined} (the prediction made from them).
     *
     * @throws IllegalArgumentException with fewer than 2 passes
     */
    public static Uncertainty of(String method, List<Prediction> passes, Prediction combined) {
        if (passes.size() < 2) {
            throw new IllegalArgumentException("uncertainty needs at least 2 passes, got " + passes.size());
        }
        int mask = Prediction.argmax(combined.mask());
        int gender = Prediction.argmax(combined.gender());
        int age = Prediction.argmax(combined.age());
        int code = combined.classCode();
        double[] sum = new double[4];
        double[] squares = new double[4];
        int agree = 0;
        for (Prediction p : passes) {
            double[] v = {p.mask()[mask], p.gender()[gender], p.age()[age], p.classes()[code]};
            for (int i = 0; i < 4; i++) {
                sum[i] += v[i];
                squares[i] += v[i] * v[i];
            }
            if (p.classCode() == code) {
                agree++;
            }
        }
        int n = passes.size();
        float[] sd = new float[4];
        for (int i = 0; i < 4; i++) {
            double mean = sum[i] / n;
            sd[i] = (float) Math.sqrt(Math.max(0, squares[i] / n - mean * mean));
        }
        return new Uncertainty(method, n, sd[0], sd[1], sd[2], sd[3], agree / (float) n);
    }

    /** The largest of the per-head spreads: one figure to compare with a threshold. */
    public float maxSpread() {
        return Math.max(Math.max(mask, gender), Math.max(age, classes));
    }
}
