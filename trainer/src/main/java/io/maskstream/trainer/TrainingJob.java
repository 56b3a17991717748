package io.maskstream.trainer;

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
     * and verdict are null when nothing was published.
     */
    public record Outcome(ModelTrainer.Result result, Path bundleFile, PersonSplit split, PromotionGate.Sets gate,
                          ModelRelease release, Releases.Verdict verdict) {
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

    public Outcome run(List<Sample> samples, String data, boolean publish, boolean promote) throws Exception {
        // The gate set first: its persons never reach training or early stopping, in this run or any other.
        PromotionGate.Sets gate = PromotionGate.split(samples, config.getDouble(TrainerConfig.GATE_FRACTION));
        PersonSplit split = PersonSplit.of(gate.rest(), config.getDouble(TrainerConfig.HOLDOUT_FRACTION),
                config.getLong(TrainerConfig.SEED));
        String version = config.getString(TrainerConfig.ARCHITECTURE) + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        ModelTrainer.Result result = new ModelTrainer(config).train(split, version, data);
        Path dir = Path.of(config.getString(TrainerConfig.OUTPUT_DIR));
        java.nio.file.Files.createDirectories(dir);
        Path file = dir.resolve(version + ".bundle");
        result.bundle().write(file); // a user without a broker keeps the model too
        if (!publish) {
            return new Outcome(result, file, split, gate, null, null);
        }
        Releases releases = new Releases(config);
        ModelRelease release = releases.publishCandidate(result.bundle(), result.holdout(), data);
        Releases.Verdict verdict = promote ? releases.gate(release, result.bundle(), gate.gate()) : null;
        return new Outcome(result, file, split, gate, release, verdict);
    }
}
