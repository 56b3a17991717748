package io.maskstream.trainer;

import io.maskstream.datasets.CocoDataset;
import io.maskstream.evaluation.LabeledReplay;
import io.maskstream.evaluation.TopicRange;
import io.maskstream.events.ModelRelease;
import io.maskstream.model.ImagePreprocessor;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** One retraining: load labeled photos, split by person, train, publish a candidate, run the promotion gate. */
public final class TrainingJob {

    /**
     * What the job produced: the bundle, always written to {@code trainer.output.dir} ({@code bundleFile}); release
     * and verdict are null when nothing was published; {@code pseudo} is null unless {@code trainer.pseudo.enabled}
     * (then {@code split.train()} holds the labeled training photos and the pseudo-labeled ones, holdout and gate only
     * labeled photos).
     */
    public record Outcome(ModelTrainer.Result result, Path bundleFile, PersonSplit split, PromotionGate.Sets gate,
                          ModelRelease release, Releases.Verdict verdict, EnsembleTraining.Result ensemble,
                          PseudoLabels.Selection pseudo) {

        /** The outcome of one network's training (no ensemble, no pseudo-labels). */
        public Outcome(ModelTrainer.Result result, Path bundleFile, PersonSplit split, PromotionGate.Sets gate,
                       ModelRelease release, Releases.Verdict verdict) {
            this(result, bundleFile, split, gate, release, verdict, null, null);
        }
    }

    private final TrainerConfig config;

    public TrainingJob(TrainerConfig config) {
        this.config = config;
    }

    public List<Sample> loadFolder(Path root) throws java.io.IOException {
        ImagePreprocessor pre = new ModelTrainer(config).preprocessor();
        return TrainingSet.fromFolder(root, pre, false);
    }

    /** The labeled photos of a topic range, and the range's description. */
    public Map.Entry<List<Sample>, String> loadTopic(TopicRange range) {
        LabeledReplay replay = new LabeledReplay(config, range.topic());
        Map<Integer, long[]> resolved = replay.resolve(range);
        List<Sample> samples = TrainingSet.fromRecords(replay.read(resolved), new ModelTrainer(config).preprocessor());
        return Map.entry(samples, range.describe(resolved));
    }

    /** Whether {@code root} is a COCO scene folder (annotations.json beside images/) rather than the competition layout. */
    public static boolean isSceneFolder(Path root) {
        return CocoDataset.isCoco(root);
    }

    /** The labeled scenes of a COCO folder. */
    public List<SceneSample> loadSceneFolder(Path root) throws java.io.IOException {
        return SceneTraining.fromFolder(root);
    }

    /** A topic range's labeled frames: its portraits and its scenes, read once. */
    public record Labeled(List<Sample> portraits, List<SceneSample> scenes, String description) {
    }

    /** The portraits and the scenes of a topic range, and the range's description. */
    public Labeled load(TopicRange range) {
        LabeledReplay replay = new LabeledReplay(config, range.topic());
        Map<Integer, long[]> resolved = replay.resolve(range);
        List<LabeledReplay.Record> records = replay.read(resolved);
        return new Labeled(TrainingSet.fromRecords(records, new ModelTrainer(config).preprocessor()),
                SceneTraining.fromRecords(records), range.describe(resolved));
    }

    /** What a scene training produced; release and verdict are null when nothing was published. */
    public record SceneOutcome(SceneTraining.Result result, Path bundleFile, ModelRelease release, Releases.Verdict verdict) {
    }

    /**
     * One retraining on scenes: a detector and a classifier on its crops, one bundle; published as a candidate whose
     * metrics are the holdout's per-face figures (a missed face counts as wrong), gated on the gate sequences' faces.
     */
    public SceneOutcome runScenes(List<SceneSample> scenes, String data, boolean publish, boolean promote) throws Exception {
        String version = config.getString(TrainerConfig.ARCHITECTURE) + "-scenes-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        SceneTraining.Result result = SceneTraining.train(config, scenes, version, data);
        Path dir = Path.of(config.getString(TrainerConfig.OUTPUT_DIR));
        java.nio.file.Files.createDirectories(dir);
        Path file = dir.resolve(version + ".bundle");
        result.bundle().write(file);
        if (!publish) {
            return new SceneOutcome(result, file, null, null);
        }
        Releases releases = new Releases(config);
        var metrics = result.holdout() == null ? result.classifier().holdout()
                : result.holdout().faces().toModelMetrics("per face on " + result.holdoutScenes()
                + " held-out scenes (a missed face counts as wrong); " + result.holdout().summary());
        ModelRelease release = releases.publishCandidate(result.bundle(), metrics, data, result.profile());
        Releases.Verdict verdict = promote ? releases.gate(release, result.bundle(), result.gate().gate()) : null;
        return new SceneOutcome(result, file, release, verdict);
    }

    /**
     * One retraining: with {@code trainer.ensemble.members} at 1 one network, else an ensemble ({@link EnsembleTraining});
     * either is written to the output folder, published as one candidate and gated.
     */
    public Outcome run(List<Sample> samples, String data, boolean publish, boolean promote) throws Exception {
        // The gate set first: its persons never reach training or early stopping, in this run or any other.
        PromotionGate.Sets gate = PromotionGate.split(samples, config.getDouble(TrainerConfig.GATE_FRACTION));
        if (config.getInt(TrainerConfig.ENSEMBLE_MEMBERS) >= 2) {
            if (config.getBoolean(TrainerConfig.PSEUDO_ENABLED)) {
                throw new IllegalArgumentException(TrainerConfig.PSEUDO_ENABLED + " trains one network on pseudo-labels; "
                        + "with " + TrainerConfig.ENSEMBLE_MEMBERS + "=" + config.getInt(TrainerConfig.ENSEMBLE_MEMBERS)
                        + " turn one of them off");
            }
            return runEnsemble(gate, data, publish, promote);
        }
        PersonSplit split = PersonSplit.of(gate.rest(), config.getDouble(TrainerConfig.HOLDOUT_FRACTION),
                config.getLong(TrainerConfig.SEED));
        // pseudo-labels only after gate and holdout are fixed, on the training side only
        PseudoLabels.Selection pseudo = null;
        if (config.getBoolean(TrainerConfig.PSEUDO_ENABLED)) {
            pseudo = new PseudoLabels(config).select(samples, split.train().size(), new ModelTrainer(config).preprocessor());
            split = PseudoLabels.trainingSide(split, pseudo.samples());
            data = data + "; " + pseudo.describe();
        }
        String version = config.architecture() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        ModelTrainer.Result result = new ModelTrainer(config).train(split, version, data);
        return keep(result, split, gate, data, publish, promote, null, pseudo);
    }

    private Outcome runEnsemble(PromotionGate.Sets gate, String data, boolean publish, boolean promote) throws Exception {
        String version = "ensemble-" + config.getString(TrainerConfig.ENSEMBLE_BY) + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        EnsembleTraining.Result ensemble = EnsembleTraining.train(config, gate.rest(), gate.gate(), version, data);
        ModelTrainer.Result result = new ModelTrainer.Result(ensemble.bundle(), ensemble.metrics(), 0, List.of(),
                ensemble.secondsPerEpoch());
        return keep(result, null, gate, data, publish, promote, ensemble, null);
    }

    /**
     * Keeps a model trained elsewhere on {@code split} (the best of a recipe search) as {@link #run} keeps its own:
     * written to {@code trainer.output.dir} as {@code VERSION.bundle}, and when {@code publish} published as a candidate
     * and, when {@code promote}, gated on {@code gate}'s gate set.
     */
    public Outcome keep(ModelTrainer.Result result, PersonSplit split, PromotionGate.Sets gate, String data, boolean publish,
                        boolean promote) throws Exception {
        return keep(result, split, gate, data, publish, promote, null, null);
    }

    /**
     * What every training ends with: the bundle written to {@code trainer.output.dir} as {@code VERSION.bundle} (a user
     * without a broker keeps the model too); with {@code publish} a candidate release carrying the holdout metrics and,
     * when there is one split for the model, its training profile on that holdout (the drift reference); with
     * {@code promote} the promotion gate on the gate set.
     */
    private Outcome keep(ModelTrainer.Result result, PersonSplit split, PromotionGate.Sets gate, String data,
                         boolean publish, boolean promote, EnsembleTraining.Result ensemble, PseudoLabels.Selection pseudo)
            throws Exception {
        Path dir = Path.of(config.getString(TrainerConfig.OUTPUT_DIR));
        java.nio.file.Files.createDirectories(dir);
        Path file = dir.resolve(result.bundle().metadata().version() + ".bundle");
        result.bundle().write(file);
        if (!publish) {
            return new Outcome(result, file, split, gate, null, null, ensemble, pseudo);
        }
        Releases releases = new Releases(config);
        ModelRelease release = releases.publishCandidate(result.bundle(), result.holdout(), data,
                split == null ? null : new ModelTrainer(config).holdoutProfile(result.bundle(), split));
        Releases.Verdict verdict = promote ? releases.gate(release, result.bundle(), gate.gate()) : null;
        return new Outcome(result, file, split, gate, release, verdict, ensemble, pseudo);
    }
}
