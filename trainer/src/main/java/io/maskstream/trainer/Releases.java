package io.maskstream.trainer;

import io.maskstream.events.EnsembleMember;
import io.maskstream.events.EnsembleSpec;
import io.maskstream.events.ModelMetrics;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.events.TrainingProfile;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.releases.ReleaseTransitions;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model releases on the compacted {@code model-releases} topic with their artifacts on {@code model-artifacts}:
 * publishing a trained bundle as a CANDIDATE, the promotion gate ({@link PromotionGate}: the new model becomes
 * ACTIVE only if it beats the active model on the fixed gate set by more than noise, both evaluated side by side),
 * forced promotion and rollback. At most one release is ACTIVE: an activation retires the previous active release in
 * the same call. After each change, artifacts beyond the newest {@code trainer.artifacts.keep} (besides the active
 * one's) are tombstoned, so the compacted artifacts topic does not grow for ever.
 */
public final class Releases {

    private static final Logger LOG = LoggerFactory.getLogger(Releases.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** The gate's verdict: both figures, the evidence, and whether the candidate was promoted. */
    public record Verdict(String candidate, double candidateF1, String active, Double activeF1, boolean promoted,
                          String evidence) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "candidate %s vs active %s: %s; %s", candidate,
                    active == null ? "(none)" : active, evidence, promoted ? "PROMOTED" : "stays a candidate");
        }
    }

    private final TrainerConfig config;
    private final ReleaseLog log;
    private final ArtifactStore artifacts;
    private final Optional<ReleaseSignatures.SigningKey> signingKey;

    public Releases(TrainerConfig config) {
        this.config = config;
        this.log = new ReleaseLog(config);
        this.artifacts = new ArtifactStore(config);
        this.signingKey = config.signingKey();
    }

    /** {@link #publishCandidate(ModelBundle, ModelMetrics, String, TrainingProfile)} without a training profile. */
    public ModelRelease publishCandidate(ModelBundle bundle, ModelMetrics metrics, String trainingData) throws IOException {
        return publishCandidate(bundle, metrics, trainingData, null);
    }

    /**
     * Publishes the bundle's artifact and a CANDIDATE release carrying its holdout metrics and its training profile
     * (the drift monitor's reference; null for none), signed with {@code trainer.release.signing.key} when one is
     * configured.
     */
    public ModelRelease publishCandidate(ModelBundle bundle, ModelMetrics metrics, String trainingData,
                                         TrainingProfile profile) throws IOException {
        byte[] bytes = bundle.toBytes();
        String uri = artifacts.publish(bundle.metadata().version(), bytes, bundle.sha256());
        Instant now = Instant.now();
        ModelRelease release = ModelRelease.newBuilder().setVersion(bundle.metadata().version())
                .setArchitecture(bundle.metadata().architecture()).setInputWidth(bundle.metadata().input().width())
                .setInputHeight(bundle.metadata().input().height()).setStatus(ReleaseStatus.CANDIDATE).setCreatedTime(now)
                .setStatusTime(now).setSha256(bundle.sha256()).setArtifactUri(uri).setArtifactBytes(bytes.length)
                .setTrainingData(trainingData).setMetrics(metrics).setEnsemble(ensembleSpec(bundle))
                .setTrainingProfile(profile)
                .setNotes(bundle.metadata().trainingSummary() == null ? null : bundle.metadata().trainingSummary().get("recipe"))
                .build();
        if (signingKey.isPresent()) {
            release = ReleaseSignatures.sign(release, signingKey.get());
        }
        log.publish(release);
        LOG.info("Published candidate {} ({} bytes, sha256 {}, {}) at {}", release.getVersion(), bytes.length,
                bundle.sha256(), signingKey.map(k -> "signed by key " + k.keyId()).orElse("unsigned"), uri);
        return release;
    }

    /** The members and vote of an ensemble bundle, as its release names them; null for a single network. */
    static EnsembleSpec ensembleSpec(ModelBundle bundle) {
        if (!bundle.isEnsemble()) {
            return null;
        }
        List<EnsembleMember> members = bundle.members().stream().map(m -> EnsembleMember.newBuilder()
                .setVersion(m.metadata().version()).setArchitecture(m.metadata().architecture()).setSha256(m.sha256())
                .build()).toList();
        return EnsembleSpec.newBuilder().setVote(bundle.vote().orElseThrow().label()).setMembers(members).build();
    }

    /** What a release serves, in a few words: its architecture, for an ensemble with its vote and members' versions. */
    public static String describeModel(ModelRelease release) {
        EnsembleSpec e = release.getEnsemble();
        if (e == null) {
            return release.getArchitecture();
        }
        return release.getArchitecture() + " (" + e.getVote() + " vote of " + e.getMembers().stream()
                .map(m -> m.getVersion() + " " + m.getArchitecture()).collect(java.util.stream.Collectors.joining(", ")) + ")";
    }

    /**
     * Re-publishes {@code version} signed with {@code key} (its status and everything else unchanged), after checking
     * that its artifact is there and has the SHA-256 the release names: a signature vouches for those bytes.
     */
    public ModelRelease sign(String version, ReleaseSignatures.SigningKey key) {
        ModelRelease target = require(log.readAll(TIMEOUT), version);
        requireArtifact(target, "signed");
        ModelRelease signed = ReleaseSignatures.sign(target, key);
        log.publish(signed);
        LOG.info("Release {} re-published signed by key {}", version, key.keyId());
        return signed;
    }

    /**
     * The promotion gate: evaluates the candidate and the active model side by side on the gate set (persons no
     * candidate trained on) and promotes the candidate only if {@link PromotionGate#decide} says so, or if nothing is
     * active.
     */
    public Verdict gate(ModelRelease candidate, ModelBundle candidateBundle, List<Sample> gateSet) throws InvalidModelException {
        boolean tta = config.getBoolean(TrainerConfig.TTA);
        int batch = config.getInt(TrainerConfig.BATCH_SIZE);
        Map<String, ModelRelease> all = log.readAll(TIMEOUT);
        Optional<ModelRelease> active = ReleaseLog.active(all.values());
        if (active.isEmpty()) {
            activate(candidate, null, "no model was active");
            pruneArtifacts();
            return new Verdict(candidate.getVersion(), Double.NaN, null, null, true, "no model was active");
        }
        int[] candidateAnswers;
        try (BatchClassifier c = Classifiers.load(candidateBundle, config.computeSettings())) {
            candidateAnswers = ModelTrainer.predict(c, gateSet, tta, batch);
        }
        ModelBundle activeBundle;
        try {
            activeBundle = ModelBundle.read(artifacts.fetch(active.get(), TIMEOUT));
        } catch (io.maskstream.releases.ArtifactUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        int[] activeAnswers;
        try (BatchClassifier c = Classifiers.load(activeBundle, config.computeSettings())) {
            activeAnswers = ModelTrainer.predict(c, gateSet, tta, batch);
        }
        List<PromotionGate.Photo> photos = new ArrayList<>(gateSet.size());
        for (int i = 0; i < gateSet.size(); i++) {
            if (candidateAnswers[i] >= 0 && activeAnswers[i] >= 0) {
                Sample s = gateSet.get(i);
                photos.add(new PromotionGate.Photo(s.personId(), s.truth(), candidateAnswers[i], activeAnswers[i]));
            }
        }
        PromotionGate.Decision decision = PromotionGate.decide(photos, config.getDouble(TrainerConfig.GATE_MARGIN),
                config.getDouble(TrainerConfig.GATE_CONFIDENCE), config.getInt(TrainerConfig.GATE_MIN_PERSONS),
                config.getLong(TrainerConfig.SEED));
        String comparison = "gate: " + decision;
        if (decision.promote()) {
            activate(candidate, active.get(), comparison);
        } else {
            log.publish(ModelRelease.newBuilder(candidate).setNotes(comparison + "; not promoted").build());
        }
        pruneArtifacts();
        Verdict verdict = new Verdict(candidate.getVersion(), decision.candidateF1(), active.get().getVersion(),
                decision.activeF1(), decision.promote(), decision.toString());
        LOG.info("Promotion gate: {}", verdict);
        return verdict;
    }

    /**
     * Tombstones the artifacts of every release but those processors run (ACTIVE, SHADOW, CANARY) and the newest
     * {@code trainer.artifacts.keep} others, and marks those releases ({@code artifactDeletedTime}). Returns the
     * versions pruned.
     */
    public List<String> pruneArtifacts() {
        int keep = config.getInt(TrainerConfig.ARTIFACTS_KEEP);
        List<ModelRelease> withArtifacts = log.readAll(TIMEOUT).values().stream()
                .filter(r -> !serving(r) && r.getArtifactDeletedTime() == null)
                .sorted(Comparator.comparing(ModelRelease::getCreatedTime).reversed()).toList();
        List<String> pruned = new ArrayList<>();
        for (ModelRelease r : withArtifacts.subList(Math.min(keep, withArtifacts.size()), withArtifacts.size())) {
            artifacts.delete(r);
            log.publish(ModelRelease.newBuilder(r).setArtifactDeletedTime(Instant.now()).build());
            pruned.add(r.getVersion());
        }
        if (!pruned.isEmpty()) {
            LOG.info("Tombstoned the artifacts of {} (keeping the active release's and the newest {} others)", pruned, keep);
        }
        return pruned;
    }

    /** Processors run it: the active release and the releases on trial. */
    private static boolean serving(ModelRelease r) {
        return r.getStatus() == ReleaseStatus.ACTIVE || r.getStatus() == ReleaseStatus.SHADOW
                || r.getStatus() == ReleaseStatus.CANARY;
    }

    /** Makes {@code version} ACTIVE whatever its metrics (the operator's call), retiring the active one. */
    public ModelRelease promote(String version) {
        Map<String, ModelRelease> all = log.readAll(TIMEOUT);
        ModelRelease target = require(all, version);
        ModelRelease current = ReleaseLog.active(all.values()).orElse(null);
        if (current != null && current.getVersion().equals(version)) {
            return current;
        }
        requireArtifact(target);
        ModelRelease active = activate(target, current, "promoted by operator");
        pruneArtifacts();
        return active;
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
        requireArtifact(target);
        ModelRelease active = activate(target, current, "rollback from " + current.getVersion());
        pruneArtifacts();
        return active;
    }

    /**
     * Puts {@code version} on trial beside the active release: SHADOW (processors run it on every batch, its events go
     * to the shadow topic only) or CANARY at {@code share} of the cameras (0 < share <= 1; it replaces any other canary,
     * which goes back to CANDIDATE). The active release itself cannot go on trial.
     */
    public ModelRelease trial(String version, ReleaseStatus status, Double share) {
        if (status != ReleaseStatus.SHADOW && status != ReleaseStatus.CANARY) {
            throw new IllegalArgumentException("A trial is SHADOW or CANARY, not " + status);
        }
        if (status == ReleaseStatus.CANARY && (share == null || !(share > 0 && share <= 1))) {
            throw new IllegalArgumentException("A canary's share must be in (0, 1], not " + share);
        }
        Map<String, ModelRelease> all = log.readAll(TIMEOUT);
        ModelRelease target = require(all, version);
        if (target.getStatus() == ReleaseStatus.ACTIVE) {
            throw new IllegalStateException("Release " + version + " is ACTIVE: it cannot also be a " + status);
        }
        requireArtifact(target, "put on trial");
        ModelRelease trial = ReleaseTransitions.trial(all, version, status, share, status == ReleaseStatus.CANARY
                ? "canary at share " + share + " by operator" : "shadow by operator");
        List<ModelRelease> records = new ArrayList<>();
        if (status == ReleaseStatus.CANARY) {
            all.values().stream().filter(r -> r.getStatus() == ReleaseStatus.CANARY && !r.getVersion().equals(version))
                    .forEach(r -> records.add(ModelRelease.newBuilder(ReleaseLog.withStatus(r, ReleaseStatus.CANDIDATE,
                            "canary replaced by " + version)).setCanaryShare(null).build()));
        }
        records.add(trial);
        log.publish(records.toArray(ModelRelease[]::new));
        LOG.info("Release {} is {}{}", version, status, status == ReleaseStatus.CANARY ? " at share " + share : "");
        return trial;
    }

    /** Ends the trial of a SHADOW or CANARY release: RETIRED, so processors stop serving it at once. */
    public ModelRelease retire(String version) {
        ModelRelease target = require(log.readAll(TIMEOUT), version);
        if (target.getStatus() != ReleaseStatus.SHADOW && target.getStatus() != ReleaseStatus.CANARY) {
            throw new IllegalStateException("Release " + version + " is " + target.getStatus() + ", not on trial (SHADOW or "
                    + "CANARY); roll the active release back with release rollback");
        }
        ModelRelease retired = ReleaseLog.withStatus(target, ReleaseStatus.RETIRED, "trial ended by operator");
        log.publish(retired);
        LOG.info("Release {} is RETIRED (was {})", version, target.getStatus());
        return retired;
    }

    /** Every release, latest state per version, newest first. */
    public List<ModelRelease> list() {
        return log.readAll(TIMEOUT).values().stream().sorted(Comparator.comparing(ModelRelease::getCreatedTime).reversed())
                .toList();
    }

    private ModelRelease activate(ModelRelease target, ModelRelease current, String why) {
        Map<String, ModelRelease> state = new java.util.HashMap<>();
        state.put(target.getVersion(), target);
        if (current != null) {
            state.put(current.getVersion(), current);
        }
        List<ModelRelease> records = ReleaseTransitions.activate(state, target.getVersion(), why);
        if (records.isEmpty()) {
            return current;
        }
        log.publish(records.toArray(ModelRelease[]::new));
        LOG.info("Release {} is ACTIVE ({})", target.getVersion(), why);
        return records.get(records.size() - 1);
    }

    /**
     * Puts {@code version} into SHADOW: processors run it beside the active model and write its events to the shadow
     * topic only; the online evaluation's judge may promote it after its shadow period
     * ({@code evaluation.shadow.promote}).
     */
    public ModelRelease shadow(String version) {
        return trial(version, ReleaseStatus.SHADOW, null);
    }

    /**
     * Puts {@code version} into CANARY: processors serve it to {@code share} of the cameras; the online evaluation's
     * judge rolls it back (RETIRED) when its live quality falls below the thresholds.
     */
    public ModelRelease canary(String version, double share) {
        return trial(version, ReleaseStatus.CANARY, share);
    }

    /** A release whose artifact was tombstoned (or never arrived) must not become active: processors would refuse it. */
    private void requireArtifact(ModelRelease release) {
        requireArtifact(release, "activated");
    }

    private void requireArtifact(ModelRelease release, String what) {
        if (release.getArtifactDeletedTime() != null) {
            throw new IllegalStateException("Release " + release.getVersion() + " cannot be " + what + ": its artifact was "
                    + "deleted at " + release.getArtifactDeletedTime() + " (" + TrainerConfig.ARTIFACTS_KEEP + " keeps the newest "
                    + config.getInt(TrainerConfig.ARTIFACTS_KEEP) + "); publish its bundle again instead");
        }
        try {
            artifacts.fetch(release, TIMEOUT);
        } catch (InvalidModelException | io.maskstream.releases.ArtifactUnavailableException e) {
            throw new IllegalStateException("Release " + release.getVersion() + " cannot be " + what + ": " + e.getMessage(), e);
        }
    }

    private static ModelRelease require(Map<String, ModelRelease> all, String version) {
        ModelRelease r = all.get(version);
        if (r == null) {
            throw new IllegalArgumentException("No release " + version + " (known: " + all.keySet() + ")");
        }
        return r;
    }
}
