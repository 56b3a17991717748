package io.maskstream.processor;

import io.maskstream.events.ModelRelease;
import io.maskstream.model.Classifier;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.release.ArtifactStore;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an active release into a serving model, off the stream threads: fetch the artifact, verify its
 * SHA-256, read and check the bundle, load and warm it up, then swap it in. Any failure refuses the release
 * with a logged reason and a metric, and the running model keeps serving.
 */
final class ReleaseLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseLoader.class);
    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(2);

    private final ProcessorConfig config;
    private final ArtifactStore artifacts;
    private final ModelHolder models;
    private final ProcessorMetrics metrics;
    /** Status time of the newest release swapped in, so a slow older load never replaces a newer model. */
    private java.time.Instant applied = java.time.Instant.MIN;

    ReleaseLoader(ProcessorConfig config, ArtifactStore artifacts, ModelHolder models, ProcessorMetrics metrics) {
        this.config = config;
        this.artifacts = artifacts;
        this.models = models;
        this.metrics = metrics;
    }

    /** Loads the release's model (verified and warmed up), or throws saying why it is refused. */
    Classifier load(ModelRelease release) throws InvalidModelException {
        long start = System.nanoTime();
        byte[] bytes = artifacts.fetch(release, FETCH_TIMEOUT);
        ModelBundle bundle = ModelBundle.read(bytes);
        if (!bundle.metadata().version().equals(release.getVersion())) {
            throw new InvalidModelException(InvalidModelException.Reason.BAD_METADATA, "Release " + release.getVersion()
                    + " carries a bundle of version " + bundle.metadata().version());
        }
        Classifier classifier = Classifier.load(bundle, config.computeSettings(), config.imageLimits());
        LOG.info("Release {} ({}, {} bytes) fetched, verified and warmed up in {} ms", release.getVersion(),
                release.getArchitecture(), bytes.length, (System.nanoTime() - start) / 1_000_000);
        return classifier;
    }

    /** Loads and swaps in {@code release} unless a newer one is already serving; throws if it is refused. */
    synchronized void activate(ModelRelease release) throws InvalidModelException {
        if (!release.getStatusTime().isAfter(applied) || release.getVersion().equals(models.currentVersion())) {
            return;
        }
        models.swap(load(release));
        applied = release.getStatusTime();
    }

    /** Called for each new active release: swap to it, or refuse it and keep the current model. */
    void onActive(ModelRelease release) {
        if (release.getVersion().equals(models.currentVersion())) {
            return;
        }
        LOG.info("New active release {}; loading it while {} keeps serving", release.getVersion(), models.currentVersion());
        try {
            activate(release);
        } catch (InvalidModelException e) {
            metrics.refused(e.reason());
            LOG.error("Refused model release {} ({}): {}. Model {} keeps serving.", release.getVersion(), e.reason(),
                    e.getMessage(), models.currentVersion());
        } catch (RuntimeException e) {
            metrics.refused(InvalidModelException.Reason.LOAD_FAILED);
            LOG.error("Refused model release {} (LOAD_FAILED): {}. Model {} keeps serving.", release.getVersion(), e,
                    models.currentVersion());
        }
    }
}
