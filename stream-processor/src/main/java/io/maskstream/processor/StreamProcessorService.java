package io.maskstream.processor;

import io.maskstream.events.ModelRelease;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.model.Compute;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ArtifactUnavailableException;
import io.maskstream.releases.ReleaseFollower;
import io.maskstream.runtime.Service;
import io.maskstream.runtime.streams.StreamsMembership;
import io.maskstream.runtime.streams.SupervisedStreams;
import io.maskstream.schemas.Topics;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.maskstream.runtime.config.ClusterLogin;
import io.maskstream.runtime.config.ServiceConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the frame topology and keeps its model current: loads a model first (a processor without a model would only
 * buffer), then starts Kafka Streams as a static group member ({@link StreamsMembership}), restarted whole when a
 * stream thread fails. Several instances with the same application id share the frames partitions.
 */
public final class StreamProcessorService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorService.class);

    private final ProcessorConfig config;
    private final ProcessorMetrics metrics;
    private final ModelHolder models;
    private final TrialModels trials;
    private SupervisedStreams streams;
    private ReleaseFollower follower;
    private ReleaseLoader loader;
    private ExecutorService inference;
    private ExecutorService rescue;
    private ExecutorService shadows;

    public StreamProcessorService(ProcessorConfig config, MeterRegistry registry) {
        this.config = config;
        this.metrics = new ProcessorMetrics(registry);
        this.models = new ModelHolder(metrics::activeModel);
        this.trials = new TrialModels(models, metrics::trials);
    }

    @Override
    public String name() {
        return "stream-processor";
    }

    @Override
    public void start() throws Exception {
        ClusterLogin.check(config); // wrong credentials: one clear error
        SchemaRegistryClient.shared(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER))
                .checkReachable(); // with the serdes' credentials and truststore
        java.util.Properties props = FrameTopology.streamsProperties(config); // validates before anything is loaded
        loadInitialModel();
        Topics topics = new Topics(config);
        Inference pool = inferencePool();
        StreamsMembership membership = config.membership();
        streams = new SupervisedStreams("stream-processor", () -> FrameTopology.build(config, topics, models, trials, metrics, pool),
                props, membership, metrics.registry(), e -> false);
        streams.start();
        LOG.info("Stream processor {} started: {} -> {} (max batch {}, max delay {} ms, {} thread(s), instance {})",
                config.getString(ProcessorConfig.APPLICATION_ID), topics.frames().name(), topics.classifications().name(),
                config.getInt(ProcessorConfig.MAX_BATCH_SIZE), config.getLong(ProcessorConfig.MAX_BATCH_DELAY_MS),
                config.getInt(ProcessorConfig.STREAM_THREADS),
                membership.instanceId() == null ? "dynamic" : membership.instanceId());
    }

    private Inference inferencePool() {
        int threads = config.getInt(ProcessorConfig.INFERENCE_THREADS);
        if (threads == 0) {
            return Inference.onStreamThread();
        }
        AtomicInteger n = new AtomicInteger();
        inference = Executors.newFixedThreadPool(threads, r -> daemon(r, "inference-" + n.incrementAndGet()));
        // One thread: a hung model can take it, but never more than it.
        rescue = Executors.newSingleThreadExecutor(r -> daemon(r, "inference-retry"));
        // One thread for every shadow's passes, with a short queue: shadows slower than the stream are skipped (busy)
        // rather than piling up batches, and a hung shadow takes this thread, never an active one.
        shadows = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(config.getInt(ProcessorConfig.SHADOW_QUEUE)),
                r -> daemon(r, "shadow-inference"));
        return new Inference(inference, rescue, Duration.ofMillis(config.getLong(ProcessorConfig.INFERENCE_TIMEOUT_MS)),
                config.getInt(ProcessorConfig.MAX_INFLIGHT_BATCHES), shadows);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * The active release if there is one (and it loads), else the bundle named by {@code processor.model.path}.
     * From then on, every new active release is swapped in by the loader's thread.
     */
    private void loadInitialModel() throws Exception {
        String path = config.getString(ProcessorConfig.MODEL_PATH);
        models.defaultCropMargin(config.getDouble(ProcessorConfig.CROP_MARGIN));
        if (config.detectFaces()) {
            models.useFileDetector(Detectors.fromFile(config));
        }
        if (config.getBoolean(ProcessorConfig.FOLLOW_RELEASES)) {
            loader = new ReleaseLoader(config, new ArtifactStore(config), models, trials, metrics);
            metrics.watchServing(models::currentVersion, loader::activeVersion);
            follower = new ReleaseFollower(config, loader::onActive, loader::onTrials);
            Optional<ModelRelease> active = follower.start(Duration.ofSeconds(60));
            if (active.isPresent()) {
                try {
                    loader.activate(active.get());
                    return;
                } catch (InvalidModelException e) {
                    metrics.refused(e.reason());
                    LOG.error("Active release {} refused ({}{}): {}", active.get().getVersion(), e.reason(),
                            ReleaseLoader.signedBy(active.get()), e.getMessage());
                } catch (ArtifactUnavailableException e) {
                    LOG.warn("The artifact of active release {} cannot be read now ({}); it is tried again in the background",
                            active.get().getVersion(), e.getMessage());
                    loader.retryLater(active.get());
                }
            }
        }
        if (path.isBlank()) {
            throw new IllegalStateException("No model to serve: no usable active release on the model-releases topic and "
                    + ProcessorConfig.MODEL_PATH + " is empty (maskstream model init writes a bundle)");
        }
        ModelBundle bundle = ModelBundle.read(Path.of(path));
        BatchClassifier classifier = Classifiers.load(bundle, config.computeSettings(), config.imageLimits());
        FaceDetector detector;
        try {
            detector = Detectors.forBundle(bundle, config, models.fileDetector() != null);
        } catch (InvalidModelException | RuntimeException e) {
            classifier.close();
            throw e;
        }
        LOG.info("Loaded model {} ({}, input {}x{}{}) from {} on {}", bundle.metadata().version(),
                bundle.metadata().architecture(), bundle.metadata().input().width(), bundle.metadata().input().height(),
                detector == null ? "" : ", face detector " + detector.version(), path, Compute.device(config.computeSettings()));
        if (!models.swapIfNone(classifier, detector)) { // a background retry swapped the active release in meanwhile
            classifier.close();
            if (detector != null) {
                detector.close();
            }
        }
    }

    /** The shadows and canary served beside the active model. */
    public TrialModels trials() {
        return trials;
    }

    /** The model holder, for hot swaps. */
    public ModelHolder models() {
        return models;
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    /** How often the Kafka Streams client was restarted after a stream thread failed. */
    public int restarts() {
        return streams == null ? 0 : streams.restarts();
    }

    @Override
    public void close() {
        if (follower != null) {
            follower.close();
            follower = null;
        }
        if (loader != null) {
            loader.close();
            loader = null;
        }
        if (streams != null) {
            streams.close();
            streams = null;
        }
        if (inference != null) {
            inference.shutdownNow();
            inference = null;
        }
        if (rescue != null) {
            rescue.shutdownNow();
            rescue = null;
        }
        if (shadows != null) {
            shadows.shutdownNow();
            shadows = null;
        }
        trials.close();
        models.close();
    }
}
