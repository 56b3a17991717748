package io.maskstream.trainer.cli;

import io.maskstream.evaluation.TopicRange;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.trainer.EnsembleTraining;
import io.maskstream.trainer.ModelTrainer;
import io.maskstream.trainer.PersonSplit;
import io.maskstream.trainer.RecipeSearch;
import io.maskstream.trainer.Sample;
import io.maskstream.trainer.TrainerConfig;
import io.maskstream.trainer.SceneSample;
import io.maskstream.trainer.TrainingJob;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskstream train}: retrain from a labeled topic range or a dataset folder, publish and gate the result. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on labeled frames (a topic range or a dataset folder in the competition layout), "
                + "publish it as a candidate release and promote it if it beats the active model on the same holdout.")
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", paramLabel = "DIR", description = "A dataset folder in the competition layout, or a COCO "
            + "folder of scenes (annotations.json beside images/: trains the face detector and the classifier on its crops).")
    Path dataset;

    @Option(names = "--topic", description = "Labeled topic (default: topic.labeled.frames) when no --dataset is given.")
    String topic;

    @Option(names = "--from", description = "First offset: N or p:N,p:N (default: the beginning).")
    String from;

    @Option(names = "--to", description = "End offset, exclusive: N or p:N,p:N (default: the end when training starts).")
    String to;

    @Option(names = "--from-time", description = "First record at or after this time (ISO-8601).")
    Instant fromTime;

    @Option(names = "--to-time", description = "Stop before this time (ISO-8601).")
    Instant toTime;

    @Option(names = "--no-publish", description = "Train and report only; publish no release.")
    boolean noPublish;

    @Option(names = "--no-promote", description = "Publish as a candidate but skip the promotion gate.")
    boolean noPromote;

    @Option(names = "--compare", description = "Train plain cross-entropy and the configured recipe on the same split "
            + "and print their holdout macro-F1 side by side (publishes nothing).")
    boolean compare;

    @Option(names = "--ensemble", paramLabel = "N", description = "Train N models and publish them as one ensemble release "
            + "(sets trainer.ensemble.members; 1: one model). Prints each member's and the ensemble's figures on the same "
            + "holdout and on the gate set.")
    Integer ensemble;

    @Option(names = "--ensemble-by", paramLabel = "seed|fold|architecture", description = "How the members differ "
            + "(sets trainer.ensemble.by): seed, fold (out-of-fold over person-disjoint folds) or architecture "
            + "(trainer.ensemble.architectures).")
    String ensembleBy;

    @Option(names = "--vote", paramLabel = "soft|hard", description = "How the ensemble combines its members (sets "
            + "trainer.ensemble.vote): soft (mean probabilities per head) or hard (majority of the 18-class answers).")
    String vote;

    @Option(names = "--search", paramLabel = "N", description = "Train N recipes on the same person-disjoint split (the "
            + "configured one first, then N-1 drawn by --search-seed from: " + RecipeSearch.SPACE + "), print them "
            + "ranked by holdout macro-F1 and keep the best as a normal train does (bundle file, release, promotion gate).")
    Integer search;

    @Option(names = "--search-seed", paramLabel = "SEED", description = "Seed of the recipes --search draws (default: "
            + "trainer.seed). The same seed draws the same recipes; on one thread the table repeats too.")
    Long searchSeed;

    @Option(names = "--search-epochs", paramLabel = "E", description = "Most epochs per --search trial (the lower of E "
            + "and trainer.epochs; default: trainer.epochs). Early stopping (trainer.patience) still applies.")
    Integer searchEpochs;

    @Option(names = "--pseudo", description = "Add pseudo-labels from the stream: confident classifications of unlabeled "
            + "frames (trainer.pseudo.*), on the training side only. Implied by the --pseudo-* range options.")
    boolean pseudo;

    @Option(names = "--pseudo-from", description = "Pseudo-labels: first offset of the frames range, as --from.")
    String pseudoFrom;

    @Option(names = "--pseudo-to", description = "Pseudo-labels: end offset of the frames range, exclusive, as --to.")
    String pseudoTo;

    @Option(names = "--pseudo-from-time", description = "Pseudo-labels: first frame at or after this time (ISO-8601).")
    Instant pseudoFromTime;

    @Option(names = "--pseudo-to-time", description = "Pseudo-labels: frames before this time (ISO-8601).")
    Instant pseudoToTime;

    @Option(names = "--pseudo-report", paramLabel = "FILE", description = "Pseudo-labels: write every frame's fate "
            + "(used, below threshold, labeled photo, ...) as CSV to FILE.")
    Path pseudoReport;

    @Option(names = "--compare-pseudo", description = "Train the configured recipe without and with the pseudo-labels "
            + "on the same split and print their holdout macro-F1 side by side (publishes nothing; implies --pseudo).")
    boolean comparePseudo;

    /** The --pseudo* options as configuration keys, so they are validated and documented like the keys. */
    private Map<String, String> pseudoOverrides() {
        Map<String, String> m = new HashMap<>();
        if (pseudoFrom != null) {
            m.put(TrainerConfig.PSEUDO_FROM, pseudoFrom);
        }
        if (pseudoTo != null) {
            m.put(TrainerConfig.PSEUDO_TO, pseudoTo);
        }
        if (pseudoFromTime != null) {
            m.put(TrainerConfig.PSEUDO_FROM_TIME, pseudoFromTime.toString());
        }
        if (pseudoToTime != null) {
            m.put(TrainerConfig.PSEUDO_TO_TIME, pseudoToTime.toString());
        }
        if (pseudo || comparePseudo || !m.isEmpty()) {
            m.put(TrainerConfig.PSEUDO_ENABLED, "true");
        }
        return m;
    }

    @Override
    public Integer call() throws Exception {
        checkSearchOptions();
        if (compare && comparePseudo) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--compare and --compare-pseudo are two different comparisons: choose one");
        }
        Map<String, String> flags = new HashMap<>();
        if (ensemble != null) {
            flags.put(TrainerConfig.ENSEMBLE_MEMBERS, String.valueOf(ensemble));
        }
        if (ensembleBy != null) {
            flags.put(TrainerConfig.ENSEMBLE_BY, ensembleBy);
        }
        if (vote != null) {
            flags.put(TrainerConfig.ENSEMBLE_VOTE, vote);
        }
        flags.putAll(pseudoOverrides());
        TrainerConfig cfg = new TrainerConfig(config.source(flags));
        boolean ensembled = cfg.getInt(TrainerConfig.ENSEMBLE_MEMBERS) >= 2;
        TrainingJob job = new TrainingJob(cfg);
        List<Sample> samples;
        String data;
        if (ensembled && (compare || search != null || (dataset != null && TrainingJob.isSceneFolder(dataset)))) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "an ensemble ("
                    + TrainerConfig.ENSEMBLE_MEMBERS + "=" + cfg.getInt(TrainerConfig.ENSEMBLE_MEMBERS) + ") is trained from "
                    + "portraits, without --compare or --search; scene models, --compare and --search train one network");
        }
        if (dataset != null && TrainingJob.isSceneFolder(dataset)) {
            return scenes(cfg, job, job.loadSceneFolder(dataset), "scenes " + dataset.toAbsolutePath());
        }
        if (dataset != null) {
            samples = job.loadFolder(dataset);
            data = "dataset " + dataset.toAbsolutePath();
        } else {
            String name = topic != null ? topic : cfg.getString(CommonConfig.TOPIC_LABELED_FRAMES);
            TrainingJob.Labeled loaded = job.load(TopicRange.parse(name, from, to, fromTime, toTime));
            if (!loaded.scenes().isEmpty()) {
                if (!loaded.portraits().isEmpty()) {
                    System.out.printf("The range holds %d scenes and %d portraits: training on the scenes%n",
                            loaded.scenes().size(), loaded.portraits().size());
                }
                return scenes(cfg, job, loaded.scenes(), loaded.description());
            }
            samples = loaded.portraits();
            data = loaded.description();
        }
        if (compare) {
            return compare(cfg, samples, data);
        }
        if (comparePseudo) {
            return comparePseudo(cfg, samples, data);
        }
        if (search != null) {
            return search(cfg, samples, data);
        }
        TrainingJob.Outcome outcome = job.run(samples, data, !noPublish, !noPromote && cfg.getBoolean(TrainerConfig.PROMOTE));
        ModelTrainer.Result r = outcome.result();
        if (outcome.ensemble() != null) {
            printEnsemble(outcome.ensemble());
        } else {
            System.out.printf(Locale.ROOT, "Trained %s: holdout macro-F1 %.4f (accuracy %.4f, mask %.4f, gender %.4f, age %.4f)"
                            + " at epoch %d of %d, %.1f s/epoch%n", r.bundle().metadata().version(), r.holdout().getMacroF1(),
                    r.holdout().getAccuracy(), r.holdout().getMaskF1(), r.holdout().getGenderF1(), r.holdout().getAgeF1(),
                    r.bestEpoch(), r.history().size(), r.secondsPerEpoch());
            Map<String, String> summary = r.bundle().metadata().trainingSummary();
            System.out.println("Holdout calibration (ECE of the 18 classes, 15 bins): " + summary.get(ModelTrainer.HOLDOUT_ECE_KEY)
                    + " one pass, " + summary.get(ModelTrainer.HOLDOUT_ECE_MC_KEY) + " the mean of MC-dropout passes");
        }
        if (outcome.pseudo() != null) {
            printPseudo(outcome.pseudo());
        }
        System.out.println("Bundle written to " + outcome.bundleFile().toAbsolutePath()
                + " (serve it with processor.model.path, score it with 'maskstream score -m FILE')");
        if (outcome.verdict() != null) {
            System.out.println("Promotion gate: " + outcome.verdict());
        } else if (outcome.release() != null) {
            System.out.println("Published candidate " + outcome.release().getVersion());
        }
        return 0;
    }

    /** Each member's and the ensemble's figures on the same holdout and on the gate set. */
    private static void printEnsemble(EnsembleTraining.Result e) {
        System.out.println();
        System.out.println("Ensemble " + e.bundle().metadata().version() + " (" + e.bundle().vote().orElseThrow().label()
                + " vote of " + e.members().size() + "). Common holdout: " + e.holdoutDescription() + "; gate set: "
                + (e.gate() == null ? "none (trainer.gate.fraction=0)" : e.gate().total() + " photos no member saw"));
        System.out.printf(Locale.ROOT, "%-34s %-9s %6s %5s %9s %9s %8s %8s %8s %10s %6s %8s%n", "model", "arch", "seed", "fold",
                "macro-F1", "accuracy", "mask", "gender", "age", "gate F1", "best", "s/epoch");
        for (EnsembleTraining.Member m : e.members()) {
            System.out.printf(Locale.ROOT, "%-34s %-9s %6d %5s %9.4f %9.4f %8.4f %8.4f %8.4f %10s %6d %8.1f%n", m.version(),
                    m.architecture(), m.seed(), m.fold() == null ? "-" : m.fold().toString(), m.holdout().macroF1(),
                    m.holdout().accuracy(), m.holdout().maskF1(), m.holdout().genderF1(), m.holdout().ageF1(),
                    m.gate() == null ? "-" : String.format(Locale.ROOT, "%.4f", m.gate().macroF1()), m.result().bestEpoch(),
                    m.result().secondsPerEpoch());
        }
        System.out.printf(Locale.ROOT, "%-34s %-9s %6s %5s %9.4f %9.4f %8.4f %8.4f %8.4f %10s %6s %8.1f%n", "ensemble",
                "-", "-", "-", e.holdout().macroF1(), e.holdout().accuracy(), e.holdout().maskF1(), e.holdout().genderF1(),
                e.holdout().ageF1(), e.gate() == null ? "-" : String.format(Locale.ROOT, "%.4f", e.gate().macroF1()), "-",
                e.secondsPerEpoch());
        EnsembleTraining.Member best = e.bestOnHoldout();
        System.out.printf(Locale.ROOT, "ensemble - best member on the holdout (%s): %+.4f macro-F1%s%n", best.version(),
                e.holdout().macroF1() - best.holdout().macroF1(), e.bestOnGate().map(g -> String.format(Locale.ROOT,
                        "; ensemble - best member on the gate set (%s): %+.4f", g.version(),
                        e.gate().macroF1() - g.gate().macroF1())).orElse(""));
        System.out.println("(the ensemble's s/epoch is its members' together: one epoch of each)");
    }

    /** Scenes: the detector and the classifier on its crops, one bundle, one release. */
    private Integer scenes(TrainerConfig cfg, TrainingJob job, List<SceneSample> scenes, String data) throws Exception {
        if (compare || search != null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    (compare ? "--compare" : "--search") + " trains portraits only; the data holds scenes");
        }
        if (cfg.getBoolean(TrainerConfig.PSEUDO_ENABLED)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "pseudo-labels (--pseudo, " + TrainerConfig.PSEUDO_ENABLED + ") train portraits only; the data holds scenes");
        }
        TrainingJob.SceneOutcome outcome = job.runScenes(scenes, data, !noPublish,
                !noPromote && cfg.getBoolean(TrainerConfig.PROMOTE));
        var r = outcome.result();
        var det = r.detector().validation();
        System.out.printf(Locale.ROOT, "Trained %s on %d scenes (%d held out): classifier on the true boxes macro-F1 %.4f; "
                + "detector %s in %.0f s%n", r.bundle().metadata().version(), r.trainScenes(), r.holdoutScenes(),
                r.classifier().holdout().getMacroF1(), r.detector().bundle().metadata().version(),
                r.detector().trainingSeconds());
        if (r.holdout() != null) {
            System.out.println("Held-out scenes through detector + classifier: " + r.holdout().summary());
        } else if (det != null) {
            System.out.printf(Locale.ROOT, "Detector on validation scenes: precision %.3f recall %.3f%n", det.precision(),
                    det.recall());
        }
        System.out.println("Bundle (classifier + detector) written to " + outcome.bundleFile().toAbsolutePath()
                + " (serve it with processor.faces.mode=detect and processor.model.path)");
        if (outcome.verdict() != null) {
            System.out.println("Promotion gate: " + outcome.verdict());
        } else if (outcome.release() != null) {
            System.out.println("Published candidate " + outcome.release().getVersion());
        }
        return 0;
    }

    private void printPseudo(io.maskstream.trainer.PseudoLabels.Selection selection) throws java.io.IOException {
        System.out.println("Training with " + selection.describe());
        System.out.println("  frames by fate: " + selection.fates());
        if (pseudoReport != null) {
            selection.writeReport(pseudoReport);
            System.out.println("  every frame's fate written to " + pseudoReport.toAbsolutePath());
        }
    }

    /** The recipe without and with the pseudo-labels, on the same labeled split. */
    private Integer comparePseudo(TrainerConfig cfg, List<Sample> samples, String data) throws Exception {
        var r = io.maskstream.trainer.PseudoComparison.run(cfg, samples, data, selection -> {
            try {
                printPseudo(selection); // before the two trainings: the report is there even if one fails
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        System.out.println();
        System.out.println("Same labeled data and person-disjoint split: " + r.labeled().train().size()
                + " labeled training photos, " + r.labeled().holdout().size() + " holdout photos of "
                + r.labeled().holdoutPersons().size() + " persons, " + r.gate().gate().size() + " gate photos; "
                + r.pseudo().samples().size() + " pseudo-labeled photos (" + r.pseudo().fates() + ")");
        System.out.printf(Locale.ROOT, "%-22s %9s %9s %8s %8s %8s %9s %6s %10s%n", "training side", "macro-F1", "accuracy",
                "mask", "gender", "age", "gate F1", "best", "s/epoch");
        var rows = List.of(Map.entry("labeled only", Map.entry(r.without(), java.util.Optional.ofNullable(r.withoutOnGate()))),
                Map.entry("+ " + r.pseudo().samples().size() + " pseudo-labeled",
                        Map.entry(r.with(), java.util.Optional.ofNullable(r.withOnGate()))));
        for (var row : rows) {
            ModelTrainer.Result m = row.getValue().getKey();
            String gate = row.getValue().getValue().map(c -> String.format(Locale.ROOT, "%.4f", c.macroF1())).orElse("-");
            System.out.printf(Locale.ROOT, "%-22s %9.4f %9.4f %8.4f %8.4f %8.4f %9s %6d %10.1f%n", row.getKey(),
                    m.holdout().getMacroF1(), m.holdout().getAccuracy(), m.holdout().getMaskF1(), m.holdout().getGenderF1(),
                    m.holdout().getAgeF1(), gate, m.bestEpoch(), m.secondsPerEpoch());
        }
        return 0;
    }

    private void checkSearchOptions() {
        picocli.CommandLine cli = spec.commandLine();
        if (search == null && (searchSeed != null || searchEpochs != null)) {
            throw new picocli.CommandLine.ParameterException(cli, (searchSeed != null ? "--search-seed" : "--search-epochs")
                    + " only applies to --search N");
        }
        if (search != null && search < 1) {
            throw new picocli.CommandLine.ParameterException(cli, "--search needs at least 1 recipe, got " + search);
        }
        if (searchEpochs != null && searchEpochs < 1) {
            throw new picocli.CommandLine.ParameterException(cli, "--search-epochs must be at least 1, got " + searchEpochs);
        }
        if (search != null && compare) {
            throw new picocli.CommandLine.ParameterException(cli, "--search and --compare cannot be combined: --search's "
                    + "first trial is the configured recipe already");
        }
    }

    /** {@code --search N}: N recipes on one split, ranked; the best kept (written, published and gated). */
    private Integer search(TrainerConfig cfg, List<Sample> samples, String data) throws Exception {
        long seed = searchSeed != null ? searchSeed : cfg.getLong(TrainerConfig.SEED);
        RecipeSearch.Outcome outcome = new RecipeSearch(cfg).run(samples, data, search, seed,
                searchEpochs == null ? 0 : searchEpochs, !noPublish, !noPromote && cfg.getBoolean(TrainerConfig.PROMOTE));
        PersonSplit split = outcome.split();
        System.out.println();
        System.out.printf(Locale.ROOT, "Search of %d recipes (search seed %d), same data and person-disjoint split: %d "
                + "training photos, %d holdout photos of %d persons%n", search, seed, split.train().size(),
                split.holdout().size(), split.holdoutPersons().size());
        System.out.print(RecipeSearch.table(outcome.ranked()));
        TrainingJob.Outcome kept = outcome.kept();
        System.out.printf(Locale.ROOT, "Kept trial %d (rank 1): %s, holdout macro-F1 %.4f%n", outcome.best().recipe().trial(),
                kept.result().bundle().metadata().version(), kept.result().holdout().getMacroF1());
        System.out.println("Bundle written to " + kept.bundleFile().toAbsolutePath());
        if (kept.verdict() != null) {
            System.out.println("Promotion gate: " + kept.verdict());
        } else if (kept.release() != null) {
            System.out.println("Published candidate " + kept.release().getVersion());
        }
        return 0;
    }

    /** Plain cross-entropy (no weighting, sampling, augmentation, smoothing, age shift or TTA) vs the recipe. */
    private Integer compare(TrainerConfig recipe, List<Sample> samples, String data) throws Exception {
        Map<String, String> plain = new HashMap<>(Map.of(TrainerConfig.LOSS, "ce", TrainerConfig.BALANCED_SAMPLING, "false",
                TrainerConfig.AUGMENT, "false", TrainerConfig.LABEL_SMOOTHING, "0", TrainerConfig.AGE_BANDS, "30,60",
                TrainerConfig.TTA, "false"));
        TrainerConfig baseline = new TrainerConfig(config.source(plain));
        PersonSplit split = PersonSplit.of(samples, recipe.getDouble(TrainerConfig.HOLDOUT_FRACTION),
                recipe.getLong(TrainerConfig.SEED));
        ModelTrainer.Result a = new ModelTrainer(baseline).train(split, "compare-plain-ce", data);
        ModelTrainer.Result b = new ModelTrainer(recipe).train(split, "compare-recipe", data);
        System.out.println();
        System.out.println("Same data and person-disjoint split: " + split.train().size() + " training photos, "
                + split.holdout().size() + " holdout photos of " + split.holdoutPersons().size() + " persons");
        System.out.printf(Locale.ROOT, "%-14s %9s %9s %8s %8s %8s %6s %10s  %s%n", "recipe", "macro-F1", "accuracy", "mask",
                "gender", "age", "best", "s/epoch", "settings");
        for (var row : List.of(Map.entry("plain CE", Map.entry(a, baseline)), Map.entry("default", Map.entry(b, recipe)))) {
            ModelTrainer.Result r = row.getValue().getKey();
            System.out.printf(Locale.ROOT, "%-14s %9.4f %9.4f %8.4f %8.4f %8.4f %6d %10.1f  %s%n", row.getKey(),
                    r.holdout().getMacroF1(), r.holdout().getAccuracy(), r.holdout().getMaskF1(), r.holdout().getGenderF1(),
                    r.holdout().getAgeF1(), r.bestEpoch(), r.secondsPerEpoch(), row.getValue().getValue().recipe());
        }
        return 0;
    }
}
