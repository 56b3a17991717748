package io.maskstream.trainer;

import io.maskstream.events.ModelMetrics;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.InputSpec;
import io.maskstream.runtime.Progress;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A seeded search over training recipes ({@code train --search N}): N recipes, each a set of {@code trainer.*}
 * overrides of the configured recipe, trained one after the other on the same person-disjoint split (the same gate
 * set, the same holdout, the same {@code trainer.seed} for initialisation, sampling and augmentation), ranked by
 * holdout macro-F1; the best is kept as a normal {@code train} keeps its model (bundle file, candidate release,
 * promotion gate).
 *
 * <p>Trial 1 is always the configured recipe (no overrides), so "best against default" is measured in the same
 * run. Trials 2..N are drawn from {@link #SPACE} by a {@link Random} of the search seed, independently of the
 * training seed: the same search seed draws the same recipes and, on one CPU thread (where a training run is
 * repeatable, see {@link ModelTrainer}), gives the same table; another search seed draws other recipes. A drawn
 * recipe equal to an earlier one is drawn again.
 */
public final class RecipeSearch {

    /** The search space, as documented in the README and the {@code --search} help. */
    public static final String SPACE = "learning rate log-uniform in [3e-4, 1e-2] (2 significant digits); loss ce, "
            + "weighted-ce or focal (gamma 1, 2 or 3); balanced sampling on or off; training age bands 30,60 / 30,59 / "
            + "30,58 / 30,57; augmentation strength 0, 0.5, 1 or 1.5; input size 0.75, 1 or 1.25 times the configured "
            + "one (sides rounded to multiples of 8)";

    private static final double LR_MIN = 3e-4;
    private static final double LR_MAX = 1e-2;
    private static final String[] LOSSES = {"ce", "weighted-ce", "focal"};
    private static final String[] GAMMAS = {"1.0", "2.0", "3.0"};
    private static final String[] AGE_BANDS = {"30,60", "30,59", "30,58", "30,57"};
    private static final String[] STRENGTHS = {"0.0", "0.5", "1.0", "1.5"};
    private static final double[] INPUT_SCALES = {0.75, 1.0, 1.25};

    /** One recipe of a search: its trial number (1-based) and the trainer keys it overrides (none for trial 1). */
    public record Recipe(int trial, Map<String, String> overrides) {

        public Recipe {
            overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        }

        /** The overrides as {@code key=value} without the {@code trainer.} prefix, or "(configured recipe)". */
        public String describe() {
            if (overrides.isEmpty()) {
                return "(configured recipe)";
            }
            StringBuilder b = new StringBuilder();
            overrides.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k.replaceFirst("^trainer\\.", ""))
                    .append('=').append(v));
            return b.toString();
        }
    }

    /** A trained recipe's holdout figures (the bundle is kept only for the best). */
    public record Trial(Recipe recipe, ModelMetrics holdout, int bestEpoch, int epochs, double secondsPerEpoch) {
    }

    /** The ranked trials (best first), the split they shared, and what keeping the best produced. */
    public record Outcome(List<Trial> ranked, PersonSplit split, TrainingJob.Outcome kept) {

        /** The trial whose model was kept: the top row. */
        public Trial best() {
            return ranked.get(0);
        }
    }

    private final TrainerConfig config;

    public RecipeSearch(TrainerConfig config) {
        this.config = config;
    }

    /**
     * {@code n} recipes from {@code seed}: the configured one, then {@code n - 1} drawn from {@link #SPACE} around the
     * configured input size {@code base}.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static List<Recipe> draw(int n, long seed, InputSpec base) {
        if (n < 1) {
            throw new IllegalArgumentException("a search needs at least 1 recipe, got " + n);
        }
        Random random = new Random(seed);
        List<Recipe> recipes = new ArrayList<>(n);
        recipes.add(new Recipe(1, Map.of()));
        while (recipes.size() < n) {
            Map<String, String> o = null;
            for (int attempt = 0; attempt < 100 && (o == null || contains(recipes, o)); attempt++) {
                o = drawOne(random, base);
            }
            recipes.add(new Recipe(recipes.size() + 1, o));
        }
        return recipes;
    }

    private static boolean contains(List<Recipe> recipes, Map<String, String> overrides) {
        return recipes.stream().anyMatch(r -> r.overrides().equals(overrides));
    }

    private static Map<String, String> drawOne(Random random, InputSpec base) {
        Map<String, String> o = new LinkedHashMap<>();
        double lr = Math.exp(Math.log(LR_MIN) + random.nextDouble() * (Math.log(LR_MAX) - Math.log(LR_MIN)));
        o.put(TrainerConfig.LEARNING_RATE, new BigDecimal(lr).round(new MathContext(2)).toPlainString());
        String loss = LOSSES[random.nextInt(LOSSES.length)];
        o.put(TrainerConfig.LOSS, loss);
        String gamma = GAMMAS[random.nextInt(GAMMAS.length)]; // drawn always, so one choice does not shift the others
        if (loss.equals("focal")) {
            o.put(TrainerConfig.FOCAL_GAMMA, gamma);
        }
        o.put(TrainerConfig.BALANCED_SAMPLING, String.valueOf(random.nextBoolean()));
        o.put(TrainerConfig.AGE_BANDS, AGE_BANDS[random.nextInt(AGE_BANDS.length)]);
        o.put(TrainerConfig.AUGMENT_STRENGTH, STRENGTHS[random.nextInt(STRENGTHS.length)]);
        double scale = INPUT_SCALES[random.nextInt(INPUT_SCALES.length)];
        o.put(TrainerConfig.INPUT_SIZE, side(base.width(), scale) + "x" + side(base.height(), scale));
        return o;
    }

    private static int side(int side, double scale) {
        return Math.max(InputSpec.MIN_SIDE, (int) Math.round(side * scale / 8.0) * 8);
    }

    /**
     * Splits {@code samples} as {@code train} does (gate set by person hash, then the seeded person-disjoint holdout),
     * trains every recipe on that split, ranks them and keeps the best like {@link TrainingJob#run}.
     *
     * @param maxEpochs most epochs per trial (the lower of it and {@code trainer.epochs}); 0 for no cap
     */
    public Outcome run(List<Sample> samples, String data, int n, long searchSeed, int maxEpochs, boolean publish,
                       boolean promote) throws Exception {
        List<Recipe> recipes = draw(n, searchSeed, config.input());
        PromotionGate.Sets gate = PromotionGate.split(samples, config.getDouble(TrainerConfig.GATE_FRACTION));
        PersonSplit split = PersonSplit.of(gate.rest(), config.getDouble(TrainerConfig.HOLDOUT_FRACTION),
                config.getLong(TrainerConfig.SEED));
        String version = config.getString(TrainerConfig.ARCHITECTURE) + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Map<InputSpec, PersonSplit> splits = new HashMap<>();
        splits.put(config.input(), split);

        List<Trial> trials = new ArrayList<>(n);
        ModelTrainer.Result best = null;
        Trial bestTrial = null;
        Progress progress = new Progress("search", n, "trials");
        for (Recipe recipe : recipes) {
            Map<String, String> overrides = new LinkedHashMap<>(recipe.overrides());
            if (maxEpochs > 0) {
                overrides.put(TrainerConfig.EPOCHS, String.valueOf(Math.min(maxEpochs, config.getInt(TrainerConfig.EPOCHS))));
            }
            TrainerConfig trialConfig = new TrainerConfig(config.source().with(overrides, "search trial " + recipe.trial()));
            System.err.printf(Locale.ROOT, "search trial %d/%d: %s%n", recipe.trial(), n, recipe.describe());
            InputSpec input = trialConfig.input();
            PersonSplit trialSplit = splits.computeIfAbsent(input, in -> reprepared(split, in));
            ModelTrainer.Result r = new ModelTrainer(trialConfig).train(trialSplit, version, data);
            Trial trial = new Trial(recipe, r.holdout(), r.bestEpoch(), r.history().size(), r.secondsPerEpoch());
            trials.add(trial);
            if (best == null || r.holdout().getMacroF1() > best.holdout().getMacroF1()) {
                best = r;
                bestTrial = trial;
            }
            progress.step(1, String.format(Locale.ROOT, "trial %d macro-F1 %.4f, best %.4f (trial %d)", recipe.trial(),
                    r.holdout().getMacroF1(), best.holdout().getMacroF1(), bestTrial.recipe().trial()));
        }
        progress.done();
        List<Trial> ranked = rank(trials);
        Map<String, String> summary = new LinkedHashMap<>(best.bundle().metadata().trainingSummary());
        summary.put("search", String.format(Locale.ROOT, "best of %d recipes (search seed %d): trial %d, %s", n, searchSeed,
                bestTrial.recipe().trial(), bestTrial.recipe().describe()));
        ModelTrainer.Result kept = new ModelTrainer.Result(best.bundle().withTrainingSummary(summary), best.holdout(),
                best.bestEpoch(), best.history(), best.secondsPerEpoch());
        TrainingJob.Outcome outcome = new TrainingJob(config).keep(kept, split, gate, data, publish, promote);
        return new Outcome(ranked, split, outcome);
    }

    /** Best holdout macro-F1 first; equal figures in trial order. */
    static List<Trial> rank(List<Trial> trials) {
        List<Trial> ranked = new ArrayList<>(trials);
        ranked.sort(Comparator.comparingDouble((Trial t) -> -t.holdout().getMacroF1())
                .thenComparingInt(t -> t.recipe().trial()));
        return List.copyOf(ranked);
    }

    /** The same persons on each side, every photo prepared again from its bytes for another input size. */
    static PersonSplit reprepared(PersonSplit split, InputSpec input) {
        ImagePreprocessor pre = new ImagePreprocessor(input, ImageLimits.defaults());
        return new PersonSplit(reprepared(split.train(), pre), reprepared(split.holdout(), pre), split.holdoutPersons());
    }

    private static List<Sample> reprepared(List<Sample> samples, ImagePreprocessor pre) {
        List<Sample> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            try {
                out.add(new Sample(s.personId(), s.id(), s.truth(), s.ageYears(), pre.prepare(s.encoded()), s.encoded()));
            } catch (ImageRejectedException e) {
                // it was accepted at the configured size; a size that refuses it cannot be trained on the same split
                throw new IllegalStateException("photo " + s.id() + " cannot be prepared at " + pre.spec().width() + "x"
                        + pre.spec().height() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The ranked table {@code train --search} prints: one row per trial, best first. */
    public static String table(List<Trial> ranked) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%4s %5s %9s %9s %7s %7s %7s %5s %7s %8s  %s%n", "rank", "trial", "macro-F1",
                "accuracy", "mask", "gender", "age", "best", "epochs", "s/epoch", "recipe"));
        int rank = 1;
        for (Trial t : ranked) {
            ModelMetrics m = t.holdout();
            b.append(String.format(Locale.ROOT, "%4d %5d %9.4f %9.4f %7.4f %7.4f %7.4f %5d %7d %8.1f  %s%n", rank++,
                    t.recipe().trial(), m.getMacroF1(), m.getAccuracy(), m.getMaskF1(), m.getGenderF1(), m.getAgeF1(),
                    t.bestEpoch(), t.epochs(), t.secondsPerEpoch(), t.recipe().describe()));
        }
        return b.toString();
    }
}
