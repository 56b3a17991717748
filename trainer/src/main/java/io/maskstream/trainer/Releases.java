package io.maskstream.trainer;

import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.events.ModelMetrics;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.Classifier;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.release.ArtifactStore;
import io.maskstream.model.release.ReleaseLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model releases on the compacted {@code model-releases} topic with their artifacts on {@code model-artifacts}:
 * publishing a trained bundle as a CANDIDATE, the promotion gate (the new model becomes ACTIVE only if its
 * macro-F1 beats the active model's on the same holdout, both evaluated side by side), forced promotion and
 * rollback. At most one release is ACTIVE: an activation retires the previous active release in the same call.
 */
public final class Releases {

    private static final Logger LOG = LoggerFactory.getLogger(Releases.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** The gate's verdict: both figures and whether the candidate was promoted. */
    public record Verdict(String candidate, double candidateF1, String active, Double activeF1, boolean promoted) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "candidate %s macro-F1 %.4f vs active %s %s: %s", candidate, candidateF1,
                    active == null ? "(none)" : active, activeF1 == null ? "" : String.format(Locale.ROOT, "%.4f", activeF1),
                    promoted ? "PROMOTED" : "stays a candidate");
        }
    }

    private final TrainerConfig config;
    private final ReleaseLog log;
    private final ArtifactStore artifacts;

    public Releases(TrainerConfig config) {
        this.config = config;
        this.log = new ReleaseLog(config);
        this.artifacts = new ArtifactStore(config);
    }

    /** Publishes the bundle's artifact and a CANDIDATE release carrying its holdout metrics. */
    public ModelRelease publishCandidate(ModelBundle bundle, ModelMetrics metrics, String trainingData) throws IOException {
        byte[] bytes = bundle.toBytes();
        Path dir = Path.of(config.getString(TrainerConfig.OUTPUT_DIR));
        Files.createDirectories(dir);
        bundle.write(dir.resolve(bundle.metadata().version() + ".bundle"));
        String uri = artifacts.publish(bundle.metadata().version(), bytes, bundle.sha256());
        Instant now = Instant.now();
        ModelRelease release = ModelRelease.newBuilder().setVersion(bundle.metadata().version())
                .setArchitecture(bundle.metadata().architecture()).setInputWidth(bundle.metadata().input().width())
                .setInputHeight(bundle.metadata().input().height()).setStatus(ReleaseStatus.CANDIDATE).setCreatedTime(now)
                .setStatusTime(now).setSha256(bundle.sha256()).setArtifactUri(uri).setArtifactBytes(bytes.length)
                .setTrainingData(trainingData).setMetrics(metrics)
                .setNotes(bundle.metadata().trainingSummary() == null ? null : bundle.metadata().trainingSummary().get("recipe"))
                .build();
        log.publish(release);
        LOG.info("Published candidate {} ({} bytes, sha256 {}) at {}", release.getVersion(), bytes.length, bundle.sha256(), uri);
        return release;
    }

    /**
     * The promotion gate: evaluates the candidate and the active model on the same holdout and promotes the
     * candidate only if its macro-F1 is strictly higher (or nothing is active).
     */
    public Verdict gate(ModelRelease candidate, ModelBundle candidateBundle, List<Sample> holdout) throws InvalidModelException {
        boolean tta = config.getBoolean(TrainerConfig.TTA);
        int batch = config.getInt(TrainerConfig.BATCH_SIZE);
        double candidateF1;
        try (Classifier c = Classifier.load(candidateBundle, config.computeSettings())) {
            candidateF1 = ModelTrainer.evaluate(c, holdout, tta, batch).macroF1();
        }
        Map<String, ModelRelease> all = log.readAll(TIMEOUT);
        Optional<ModelRelease> active = ReleaseLog.active(all.values());
        if (active.isEmpty()) {
            activate(candidate, null, "no model was active");
            return new Verdict(candidate.getVersion(), candidateF1, null, null, true);
        }
        double activeF1;
        ModelBundle activeBundle;
        try {
            activeBundle = ModelBundle.read(artifacts.fetch(active.get(), TIMEOUT));
        } catch (io.maskstream.model.release.ArtifactUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        try (Classifier c = Classifier.load(activeBundle, config.computeSettings())) {
            Confusion confusion = ModelTrainer.evaluate(c, holdout, tta, batch);
            activeF1 = confusion.macroF1();
        }
        boolean better = candidateF1 > activeF1;
        String comparison = String.format(Locale.ROOT, "gate on %d holdout photos: %.4f vs active %s %.4f", holdout.size(),
                candidateF1, active.get().getVersion(), activeF1);
        if (better) {
            activate(candidate, active.get(), comparison);
        } else {
            log.publish(ModelRelease.newBuilder(candidate).setNotes(comparison + "; not promoted").build());
        }
        Verdict verdict = new Verdict(candidate.getVersion(), candidateF1, active.get().getVersion(), activeF1, better);
        LOG.info("Promotion gate: {}", verdict);
        return verdict;
    }

    /** Makes {@code version} ACTIVE whatever its metrics (the operator's call), retiring the active one. */
    public ModelRelease promote(String version) {
        Map<String, ModelRelease> all = log.readAll(TIMEOUT);
        ModelRelease target = require(all, version);
        ModelRelease current = ReleaseLog.active(all.values()).orElse(null);
        if (current != null && current.getVersion().equals(version)) {
            return current;
        }
        return activate(target, current, "promoted by operator");
    }

    /** Re-activates {@code version}, or the most recently retired release, and retires the current one. */
    public ModelRelease rollback(String version) {
        Map<String, ModelRelease> all = log.readAll(TIMEOUT);
        ModelRelease current = ReleaseLog.active(all.values())
                .orElseThrow(() -> new IllegalStateException("No active release to roll back from"));
        ModelRelease target = version != null ? require(all, version) : all.values().stream()
                .filter(r -> r.getStatus() == ReleaseStatus.RETIRED && !r.getVersion().equals(current.getVersion()))
                .max(Comparator.comparing(ModelRelease::getStatusTime))
                .orElseThrow(() -> new IllegalStateException("No retired release to roll back to"));
        return activate(target, current, "rollback from " + current.getVersion());
    }

    /** Every release, latest state per version, newest first. */
    public List<ModelRelease> list() {
        return log.readAll(TIMEOUT).values().stream().sorted(Comparator.comparing(ModelRelease::getCreatedTime).reversed())
                .toList();
    }

    private ModelRelease activate(ModelRelease target, ModelRelease current, String why) {
        ModelRelease active = ReleaseLog.withStatus(target, ReleaseStatus.ACTIVE, why);
        if (current != null && !current.getVersion().equals(target.getVersion())) {
            log.publish(ReleaseLog.withStatus(current, ReleaseStatus.RETIRED, "replaced by " + target.getVersion()), active);
        } else {
            log.publish(active);
        }
        LOG.info("Release {} is ACTIVE ({})", target.getVersion(), why);
        return active;
    }

    private static ModelRelease require(Map<String, ModelRelease> all, String version) {
        ModelRelease r = all.get(version);
        if (r == null) {
            throw new IllegalArgumentException("No release " + version + " (known: " + all.keySet() + ")");
        }
        return r;
    }
}
