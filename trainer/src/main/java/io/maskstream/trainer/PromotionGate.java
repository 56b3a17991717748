package io.maskstream.trainer;

import io.maskstream.evaluation.metrics.Confusion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Decides whether a candidate replaces the active model, on evidence it cannot have fitted.
 *
 * <p>What it guards against:
 * <ul>
 *   <li><b>Scoring on what picked the model.</b> The early-stopping holdout chose the candidate's epoch and stopped its
 *       training, so the candidate's score there is biased upwards. The gate scores both models on the <b>gate set</b>:
 *       a fixed share of persons ({@code trainer.gate.fraction}), chosen by a hash of the person id, so the same persons
 *       are set aside in every training run and every dataset (a person added later falls on a fixed side), and no
 *       candidate, past or future, ever trained or stopped on them.</li>
 *   <li><b>Promoting on noise.</b> On a few hundred photos, two equally good models differ by a few hundredths of
 *       macro-F1 from one split to the next. The candidate must beat the active model by more than
 *       {@code trainer.gate.margin} and, unless {@code trainer.gate.confidence} is 0, the lower end of a paired
 *       bootstrap confidence interval of the difference must lie above 0. The bootstrap resamples persons, not photos:
 *       the 7 photos of one person are not 7 independent trials.</li>
 * </ul>
 */
public final class PromotionGate {

    private static final int RESAMPLES = 1000;

    private PromotionGate() {
    }

    /** Whether {@code personId} belongs to the gate set of the given share (stable: a hash of the id). */
    public static boolean inGateSet(String personId, double fraction) {
        if (fraction <= 0) {
            return false;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(personId.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 7; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v / (double) (1L << 56) < fraction;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The samples of the gate set and the rest (for training and early stopping), in their order. */
    public record Sets(List<Sample> rest, List<Sample> gate) {
    }

    public static Sets split(List<Sample> samples, double fraction) {
        List<Sample> rest = new ArrayList<>();
        List<Sample> gate = new ArrayList<>();
        for (Sample s : samples) {
            (inGateSet(s.personId(), fraction) ? gate : rest).add(s);
        }
        return new Sets(rest, gate);
    }

    /** One photo of the gate set: whose it is, its true class and what each model said. */
    public record Photo(String person, int truth, int candidate, int active) {
    }

    /** The gate's verdict with its evidence; {@code lower}/{@code upper} are NaN when no bootstrap was run. */
    public record Decision(double candidateF1, double activeF1, double lower, double upper, int photos, int persons,
                           boolean promote, String reason) {
        public double difference() {
            return candidateF1 - activeF1;
        }

        @Override
        public String toString() {
            String ci = Double.isNaN(lower) ? "" : String.format(Locale.ROOT, ", CI [%+.4f, %+.4f]", lower, upper);
            return String.format(Locale.ROOT, "%.4f vs %.4f (%+.4f%s) on %d photos of %d gate persons: %s",
                    candidateF1, activeF1, difference(), ci, photos, persons, reason);
        }
    }

    /**
     * @param margin     the least difference in macro-F1 that counts
     * @param confidence confidence of the paired bootstrap interval whose lower end must exceed 0 (0: no bootstrap)
     * @param minPersons the fewest gate persons the decision is made on; fewer: not promoted
     */
    public static Decision decide(List<Photo> photos, double margin, double confidence, int minPersons, long seed) {
        Map<String, List<Photo>> byPerson = new LinkedHashMap<>();
        photos.forEach(p -> byPerson.computeIfAbsent(p.person(), k -> new ArrayList<>()).add(p));
        double candidate = f1(photos, true);
        double active = f1(photos, false);
        int persons = byPerson.size();
        if (persons < minPersons) {
            return new Decision(candidate, active, Double.NaN, Double.NaN, photos.size(), persons, false,
                    "too few gate persons to decide (" + persons + " < " + minPersons + ")");
        }
        double diff = candidate - active;
        if (!(diff > margin)) {
            return new Decision(candidate, active, Double.NaN, Double.NaN, photos.size(), persons, false,
                    String.format(Locale.ROOT, "not better by more than the margin %.4f", margin));
        }
        if (confidence <= 0) {
            return new Decision(candidate, active, Double.NaN, Double.NaN, photos.size(), persons, true,
                    String.format(Locale.ROOT, "better by more than the margin %.4f", margin));
        }
        double[] diffs = bootstrap(new ArrayList<>(byPerson.values()), seed);
        double lower = quantile(diffs, (1 - confidence) / 2);
        double upper = quantile(diffs, 1 - (1 - confidence) / 2);
        boolean promote = lower > 0;
        return new Decision(candidate, active, lower, upper, photos.size(), persons, promote, promote
                ? String.format(Locale.ROOT, "better; the %.0f%% interval excludes 0", confidence * 100)
                : String.format(Locale.ROOT, "the %.0f%% interval includes 0: the gain may be noise", confidence * 100));
    }

    private static double f1(List<Photo> photos, boolean candidate) {
        Confusion c = new Confusion();
        photos.forEach(p -> c.add(p.truth(), candidate ? p.candidate() : p.active()));
        return c.macroF1();
    }

    /** Differences of macro-F1 over {@link #RESAMPLES} resamples of whole persons, sorted. */
    private static double[] bootstrap(List<List<Photo>> persons, long seed) {
        Random random = new Random(seed);
        double[] diffs = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            Confusion cand = new Confusion();
            Confusion act = new Confusion();
            for (int i = 0; i < persons.size(); i++) {
                for (Photo p : persons.get(random.nextInt(persons.size()))) {
                    cand.add(p.truth(), p.candidate());
                    act.add(p.truth(), p.active());
                }
            }
            diffs[b] = cand.macroF1() - act.macroF1();
        }
        Arrays.sort(diffs);
        return diffs;
    }

    private static double quantile(double[] sorted, double q) {
        int i = (int) Math.floor(q * (sorted.length - 1));
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
