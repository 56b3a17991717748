package io.maskstream.processor;

import io.maskstream.events.ModelRelease;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ArtifactUnavailableException;
import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.events.ReleaseStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an active release into a serving model, off the stream threads and off the release follower's thread: check
 * its signature against {@code processor.release.trusted.keys} (when set), fetch the artifact, verify its SHA-256,
 * read and check the bundle, load and warm it up, then swap it in. A bad release is
 * refused with a logged reason and a metric, and the running model keeps serving. An artifact that cannot be read
 * now (the broker unreachable, a timeout) refuses nothing: the fetch is tried again, backing off, until it succeeds
 * or a newer release is active; meanwhile {@code maskstream_processor_model_behind_active} is 1.
 *
 * <p>SHADOW and CANARY releases ({@link #onTrials}) go through the same {@link #load} and are refused the same way
 * (the active model serves on, untouched); one that leaves that state (RETIRED by a rollback, promoted to ACTIVE)
 * stops serving at once, on the follower's thread, without waiting for any load.
 */
final class ReleaseLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseLoader.class);

    private final ProcessorConfig config;
    private final ArtifactStore artifacts;
    private final ModelHolder models;
    private final TrialModels trials;
    private final int maxShadows;
    private final ProcessorMetrics metrics;
    private final Duration fetchTimeout;
    private final long backoffMs;
    private final long maxBackoffMs;
    private final ReleaseSignatures.TrustedKeys trustedKeys;
    private final boolean requireSignature;
    private final ScheduledExecutorService loads = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "model-loader");
        t.setDaemon(true);
        return t;
    });
    /** The newest active release seen: a retry of an older one stops when it is superseded. */
    private final AtomicReference<ModelRelease> wanted = new AtomicReference<>();
    /** Status time of the newest release swapped in, so a slow older load never replaces a newer model. */
    private java.time.Instant applied = java.time.Instant.MIN;
    /** The trial releases to serve now, by version (guarded by itself): a load installs only what is still wanted. */
    private final Map<String, ModelRelease> wantedTrials = new HashMap<>();
    /** Trial releases refused, as they were: the same record is not loaded again; a new status record is. */
    private final Set<ModelRelease> refusedTrials = new HashSet<>();
    /** Trial versions whose load is scheduled or running (guarded by {@link #wantedTrials}). */
    private final Set<String> loadingTrials = new HashSet<>();

    ReleaseLoader(ProcessorConfig config, ArtifactStore artifacts, ModelHolder models, TrialModels trials,
                  ProcessorMetrics metrics) {
        this.config = config;
        this.artifacts = artifacts;
        this.models = models;
        this.trials = trials;
        this.maxShadows = config.getInt(ProcessorConfig.SHADOW_MAX);
        this.metrics = metrics;
        this.fetchTimeout = Duration.ofMillis(config.getLong(ProcessorConfig.MODEL_FETCH_TIMEOUT_MS));
        this.backoffMs = config.getLong(ProcessorConfig.MODEL_FETCH_BACKOFF_MS);
        this.maxBackoffMs = config.getLong(ProcessorConfig.MODEL_FETCH_BACKOFF_MAX_MS);
        this.trustedKeys = config.trustedKeys();
        this.requireSignature = !trustedKeys.isEmpty() && config.getBoolean(ProcessorConfig.REQUIRE_SIGNATURE);
        if (trustedKeys.isEmpty()) {
            LOG.warn("Release signatures are not checked ({} is empty): any release on the topic whose artifact matches "
                    + "its SHA-256 can serve", ProcessorConfig.TRUSTED_KEYS);
        } else {
            LOG.info("Releases must be signed by one of the keys {}{}", trustedKeys.keyIds(),
                    requireSignature ? "" : " (unsigned releases are accepted)");
        }
    }

    /** The version of the active release on {@code model-releases}, or null when none is known. */
    String activeVersion() {
        ModelRelease r = wanted.get();
        return r == null ? null : r.getVersion();
    }

    /** A release loaded: its classifier, and in detect mode its own face detector (null when the file's serves). */
    record Loaded(BatchClassifier classifier, FaceDetector detector) {
    }

    /** Loads the release's model (verified and warmed up), or throws saying why it is refused or not readable now. */
    Loaded load(ModelRelease release) throws InvalidModelException, ArtifactUnavailableException {
        long start = System.nanoTime();
        String signer = trustedKeys.isEmpty() ? null : trustedKeys.verify(release, requireSignature); // before any fetch
        byte[] bytes = artifacts.fetch(release, fetchTimeout);
        ModelBundle bundle = ModelBundle.read(bytes);
        if (!bundle.metadata().version().equals(release.getVersion())) {
            throw new InvalidModelException(InvalidModelException.Reason.BAD_METADATA, "Release " + release.getVersion()
                    + " carries a bundle of version " + bundle.metadata().version());
        }
        BatchClassifier classifier = Classifiers.load(bundle, config.computeSettings(), config.imageLimits());
        FaceDetector detector;
        try {
            detector = Detectors.forBundle(bundle, config, models.fileDetector() != null);
        } catch (InvalidModelException | RuntimeException e) {
            classifier.close();
            throw e;
        }
        LOG.info("Release {} ({}, {} bytes{}{}) fetched, verified and warmed up in {} ms", release.getVersion(),
                release.getArchitecture(), bytes.length, detector == null ? "" : ", face detector " + detector.version(),
                signer == null ? "" : ", signed by key " + signer, (System.nanoTime() - start) / 1_000_000);
        return new Loaded(classifier, detector);
    }

    /**
     * Loads and swaps in {@code release} unless a newer one is already serving, on the caller's thread (start-up);
     * throws if it is refused or its artifact cannot be read now.
     */
    synchronized void activate(ModelRelease release) throws InvalidModelException, ArtifactUnavailableException {
        wanted.accumulateAndGet(release, ReleaseLoader::newer);
        if (!release.getStatusTime().isAfter(applied) || release.getVersion().equals(models.currentVersion())) {
            return;
        }
        Loaded loaded = load(release);
        models.swap(loaded.classifier(), loaded.detector());
        applied = release.getStatusTime();
    }

    private static ModelRelease newer(ModelRelease a, ModelRelease b) {
        return a == null || !b.getStatusTime().isBefore(a.getStatusTime()) ? b : a; // a tie: b is the later record (re-signed)
    }

    /** Called (by the release follower) for each new active release: loads it on the loader's thread. */
    void onActive(ModelRelease release) {
        wanted.accumulateAndGet(release, ReleaseLoader::newer);
        if (release.getVersion().equals(models.currentVersion())) {
            return;
        }
        LOG.info("New active release {}; loading it while {} keeps serving", release.getVersion(), models.currentVersion());
        submit(release, 0, backoffMs);
    }

    /** Retries loading {@code release} in the background (after a start-up fetch that could not read it). */
    void retryLater(ModelRelease release) {
        wanted.accumulateAndGet(release, ReleaseLoader::newer);
        submit(release, backoffMs, backoffMs);
    }

    private void submit(ModelRelease release, long delayMs, long nextBackoffMs) {
        try {
            loads.schedule(() -> attempt(release, nextBackoffMs), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void attempt(ModelRelease release, long backoff) {
        if (wanted.get() != release && !release.getVersion().equals(activeVersion())) {
            LOG.info("Release {} is no longer the active one; not loading it", release.getVersion());
            return;
        }
        try {
            activate(release);
        } catch (ArtifactUnavailableException e) {
            metrics.fetchRetried();
            LOG.warn("The artifact of release {} cannot be read now ({}); trying again in {} ms. Model {} keeps serving.",
                    release.getVersion(), e.getMessage(), backoff, models.currentVersion());
            submit(release, backoff, Math.min(maxBackoffMs, backoff * 2));
        } catch (InvalidModelException e) {
            metrics.refused(e.reason());
            LOG.error("Refused model release {} ({}{}): {}. Model {} keeps serving.", release.getVersion(), e.reason(),
                    signedBy(release), e.getMessage(), models.currentVersion());
        } catch (RuntimeException e) {
            metrics.refused(InvalidModelException.Reason.LOAD_FAILED);
            LOG.error("Refused model release {} (LOAD_FAILED): {}. Model {} keeps serving.", release.getVersion(), e,
                    models.currentVersion());
        }
    }

    /**
     * Called (by the release follower) with every SHADOW and CANARY release, oldest status change first, whenever
     * that set changes. Serves the first {@code processor.shadow.max} SHADOW releases and the newest CANARY one (one
     * canary at a time; its {@code canaryShare} must be in (0, 1]); a trial no longer among them stops serving at once,
     * here; a new one is loaded and verified on the loader's thread, then joins from the next batch on.
     */
    void onTrials(List<ModelRelease> releases) {
        List<ModelRelease> shadows = new ArrayList<>();
        ModelRelease canary = null;
        for (ModelRelease r : releases) {
            if (r.getVersion().equals(models.currentVersion())) {
                continue;
            }
            if (r.getStatus() == ReleaseStatus.CANARY) {
                if (canary != null) {
                    LOG.warn("Canary {} is superseded by the newer canary {} (one canary at a time)", canary.getVersion(),
                            r.getVersion());
                }
                canary = r;
            } else if (shadows.size() < maxShadows) {
                shadows.add(r);
            } else {
                LOG.warn("Shadow release {} is not run: {} shadows already run ({}={})", r.getVersion(), maxShadows,
                        ProcessorConfig.SHADOW_MAX, maxShadows);
            }
        }
        if (canary != null && !validShare(canary.getCanaryShare())) {
            metrics.refused(InvalidModelException.Reason.BAD_METADATA);
            LOG.error("Refused canary release {}: canaryShare {} is not in (0, 1]. Model {} keeps serving its cameras.",
                    canary.getVersion(), canary.getCanaryShare(), models.currentVersion());
            canary = null;
        }
        List<ModelRelease> toLoad = new ArrayList<>();
        synchronized (wantedTrials) {
            wantedTrials.clear();
            shadows.forEach(r -> wantedTrials.put(r.getVersion(), r));
            if (canary != null) {
                wantedTrials.put(canary.getVersion(), canary);
            }
            for (String served : trials.shadowVersions()) {
                ModelRelease w = wantedTrials.get(served);
                if (w == null || w.getStatus() != ReleaseStatus.SHADOW) {
                    trials.removeShadow(served, w == null ? "no longer SHADOW" : "now " + w.getStatus());
                }
            }
            String servedCanary = trials.canaryVersion();
            if (servedCanary != null) {
                ModelRelease w = wantedTrials.get(servedCanary);
                if (w == null || w.getStatus() != ReleaseStatus.CANARY) {
                    trials.removeCanary(servedCanary, w == null ? "no longer CANARY" : "now " + w.getStatus());
                } else {
                    trials.reshareCanary(servedCanary, w.getCanaryShare());
                }
            }
            for (ModelRelease r : wantedTrials.values()) {
                boolean served = r.getStatus() == ReleaseStatus.CANARY ? r.getVersion().equals(trials.canaryVersion())
                        : trials.shadowVersions().contains(r.getVersion());
                if (!served && !refusedTrials.contains(r) && loadingTrials.add(r.getVersion())) {
                    toLoad.add(r);
                }
            }
        }
        for (ModelRelease r : toLoad) {
            LOG.info("New {} release {}; loading it while {} keeps serving", r.getStatus(), r.getVersion(),
                    models.currentVersion());
            submitTrial(r, 0, backoffMs);
        }
    }

    private static boolean validShare(Double share) {
        return share != null && share > 0 && share <= 1;
    }

    private void submitTrial(ModelRelease release, long delayMs, long nextBackoffMs) {
        try {
            loads.schedule(() -> attemptTrial(release, nextBackoffMs), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void attemptTrial(ModelRelease release, long backoff) {
        String version = release.getVersion();
        synchronized (wantedTrials) {
            ModelRelease w = wantedTrials.get(version);
            if (w == null || w.getStatus() != release.getStatus()) {
                loadingTrials.remove(version);
                LOG.info("Release {} is no longer {}; not loading it", version, release.getStatus());
                return;
            }
        }
        Loaded loaded;
        try {
            loaded = load(release);
        } catch (ArtifactUnavailableException e) {
            metrics.fetchRetried();
            LOG.warn("The artifact of {} release {} cannot be read now ({}); trying again in {} ms", release.getStatus(),
                    version, e.getMessage(), backoff);
            submitTrial(release, backoff, Math.min(maxBackoffMs, backoff * 2));
            return;
        } catch (InvalidModelException | RuntimeException e) {
            InvalidModelException.Reason reason = e instanceof InvalidModelException bad ? bad.reason()
                    : InvalidModelException.Reason.LOAD_FAILED;
            metrics.refused(reason);
            LOG.error("Refused {} release {} ({}{}): {}. Model {} keeps serving, without it.", release.getStatus(), version,
                    reason, signedBy(release), e.getMessage(), models.currentVersion());
            synchronized (wantedTrials) {
                loadingTrials.remove(version);
                refusedTrials.add(release);
            }
            return;
        }
        synchronized (wantedTrials) {
            loadingTrials.remove(version);
            ModelRelease w = wantedTrials.get(version);
            if (w == null || w.getStatus() != release.getStatus()) {
                LOG.info("Release {} left {} while it loaded; not serving it", version, release.getStatus());
                loaded.classifier().close();
                if (loaded.detector() != null) {
                    loaded.detector().close();
                }
                return;
            }
            if (w.getStatus() == ReleaseStatus.CANARY) {
                trials.setCanary(loaded.classifier(), loaded.detector(), w.getCanaryShare());
            } else {
                trials.addShadow(loaded.classifier(), loaded.detector());
            }
        }
    }

    /** ", key id K" for a signed release, for log lines about it. */
    static String signedBy(ModelRelease release) {
        return release.getSignature() == null ? ", unsigned" : ", key id " + release.getSignature().getKeyId();
    }

    @Override
    public void close() {
        loads.shutdownNow();
        try {
            loads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
