package io.maskstream.processor;

import io.maskstream.model.Classifier;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.release.ArtifactStore;
import io.maskstream.model.release.ReleaseFollower;
import io.maskstream.events.ModelRelease;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.Optional;
import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.schemas.Topics;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the frame topology and keeps its model current: loads a model first (a processor without a model would only buffer), then starts
 * Kafka Streams. Several instances with the same application id share the frames partitions.
 */
public final class StreamProcessorService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorService.class);

    private final ProcessorConfig config;
    private final ProcessorMetrics metrics;
    private final ModelHolder models;
    private KafkaStreams streams;
    private ReleaseFollower follower;
    private java.util.concurrent.ExecutorService inference;

    public StreamProcessorService(ProcessorConfig config, MeterRegistry registry) {
        this.config = config;
        this.metrics = new ProcessorMetrics(registry);
        this.models = new ModelHolder(metrics::activeModel);
    }

    @Override
    public String name() {
        return "stream-processor";
    }

    @Override
    public void start() throws Exception {
        SchemaRegistryClient.shared(config.getString(CommonConfig.SCHEMA_REGISTRY_URL), null).checkReachable();
        loadInitialModel();
        Topics topics = new Topics(config);
        int inferenceThreads = config.getInt(ProcessorConfig.INFERENCE_THREADS);
        if (inferenceThreads > 0) {
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            inference = java.util.concurrent.Executors.newFixedThreadPool(inferenceThreads, r -> {
                Thread t = new Thread(r, "inference-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        streams = new KafkaStreams(FrameTopology.build(config, topics, models, metrics, inference),
                FrameTopology.streamsProperties(config));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread failed; replacing it (work resumes from the last commit)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Kafka Streams {} -> {}", before, now));
        new KafkaStreamsMetrics(streams).bindTo(metrics.registry());
        streams.start();
        LOG.info("Stream processor {} started: {} -> {} (max batch {}, max delay {} ms, {} thread(s))",
                config.getString(ProcessorConfig.APPLICATION_ID), topics.frames().name(), topics.classifications().name(),
                config.getInt(ProcessorConfig.MAX_BATCH_SIZE), config.getLong(ProcessorConfig.MAX_BATCH_DELAY_MS),
                config.getInt(ProcessorConfig.STREAM_THREADS));
    }

    /**
     * The active release if there is one (and it loads), else the bundle named by {@code processor.model.path}.
     * From then on, every new active release is swapped in by the follower's thread.
     */
    private void loadInitialModel() throws Exception {
        String path = config.getString(ProcessorConfig.MODEL_PATH);
        if (config.getBoolean(ProcessorConfig.FOLLOW_RELEASES)) {
            ReleaseLoader loader = new ReleaseLoader(config, new ArtifactStore(config), models, metrics);
            follower = new ReleaseFollower(config, loader::onActive);
            Optional<ModelRelease> active = follower.start(Duration.ofSeconds(60));
            if (active.isPresent()) {
                try {
                    loader.activate(active.get());
                    return;
                } catch (InvalidModelException e) {
                    metrics.refused(e.reason());
                    LOG.error("Active release {} refused ({}): {}", active.get().getVersion(), e.reason(), e.getMessage());
                }
            }
        }
        if (path.isBlank()) {
            throw new IllegalStateException("No model to serve: no usable active release on the model-releases topic and "
                    + ProcessorConfig.MODEL_PATH + " is empty (maskstream model init writes a bundle)");
        }
        ModelBundle bundle = ModelBundle.read(Path.of(path));
        Classifier classifier = Classifier.load(bundle, config.computeSettings(), config.imageLimits());
        LOG.info("Loaded model {} ({}, input {}x{}) from {} on {}", bundle.metadata().version(),
                bundle.metadata().architecture(), bundle.metadata().input().width(), bundle.metadata().input().height(),
                path, classifier.device());
        models.swap(classifier);
    }

    /** The model holder, for hot swaps. */
    public ModelHolder models() {
        return models;
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    @Override
    public void close() {
        if (follower != null) {
            follower.close();
            follower = null;
        }
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
            streams = null;
        }
        if (inference != null) {
            inference.shutdownNow();
            inference = null;
        }
        models.close();
    }
}
