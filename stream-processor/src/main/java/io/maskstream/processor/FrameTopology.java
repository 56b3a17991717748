package io.maskstream.processor;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.Frame;
import io.maskstream.model.FaceTracker;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import io.maskstream.schemas.serde.RecordDecodeException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's Kafka Streams topology:
 * <pre>
 *   frames ─► intake ─┬─► micro-batcher [frame-buffer store, face-tracks store] ─┬─► classifications
 *                     │          ▲ │ one BatchScheduler per instance: all tasks'    └─► classifications-shadow
 *                     │            │ frames share each forward pass                     (shadows; active on canary cameras)
 *                     └─► frames-dlq ◄──────────┘ (frames the model cannot take)
 * </pre>
 * Beside the active model an instance may serve shadow releases and one canary ({@link TrialModels},
 * {@link TrialServing}); their work rides on the same batches and leaves in the same transactions.
 * Each task's micro-batcher hands its frames to the instance's {@link BatchScheduler} and emits their events itself,
 * in its own transaction; the scheduler forms batches across all tasks and stream threads of the instance.
 * In detect mode ({@code processor.faces.mode=detect}) intake decodes each frame at full resolution and the
 * micro-batcher runs a batch's frames through the detector in one pass, their crops through the classifier in
 * another ({@link io.maskstream.model.ScenePipeline}), then gives each face its track id from the camera's tracks
 * (the face-tracks store) as it emits the frame's event.
 * Built by a static method so {@code TopologyTestDriver} tests run it without a broker, and the same code
 * runs for real in {@link StreamProcessorService}.
 */
public final class FrameTopology {

    static final String SOURCE = "frames-source";
    static final String INTAKE = "intake";
    static final String BATCHER = "micro-batcher";
    static final String CLASSIFICATIONS_SINK = "classifications-sink";
    static final String SHADOW_SINK = "shadow-classifications-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";
    static final String BUFFER_STORE = "frame-buffer";
    static final String TRACKS_STORE = "face-tracks";

    private FrameTopology() {
    }

    /**
     * @param inference where batches are inferred and how long the stream threads wait for them; the topology's
     *                  tasks (all partitions, all stream threads of the Kafka Streams instance it runs in) share one
     *                  batch scheduler
     */
    static Topology build(ProcessorConfig config, Topics topics, ModelHolder models, ProcessorMetrics metrics,
                          Inference inference) {
        return build(config, topics, models, new TrialModels(models, s -> { }), metrics, inference);
    }

    /** @param trials the shadows and canary served beside the active model, read once per batch */
    static Topology build(ProcessorConfig config, Topics topics, ModelHolder models, TrialModels trials,
                          ProcessorMetrics metrics, Inference inference) {
        Topic<String, Frame> frames = topics.frames();
        Topic<String, Classification> shadowClassifications = topics.shadowClassifications();
        Topic<String, Classification> classifications = topics.classifications();
        Topic<byte[], DeadLetter> deadLetters = topics.deadLetters(frames.name());
        Deserializer<Frame> frameReader = frames.valueSerde().deserializer();
        FrameIntake.Preprocessing preprocessing = () -> {
            ImagePreprocessor p = models.currentPreprocessor();
            if (p == null) {
                throw new IllegalStateException("No model loaded: the processor cannot decode frames yet");
            }
            return p;
        };
        boolean detect = config.detectFaces();
        CaptureClock clock = new CaptureClock(config.getLong(ProcessorConfig.MAX_CAPTURE_AHEAD_MS), metrics);
        // Only what is wrong with the stored frame itself becomes a dead letter; anything else (an unreachable
        // registry, no model yet) fails the task as it would on the live path, and the frame is restored again later.
        MicroBatcher.FrameRestorer restorer = new MicroBatcher.FrameRestorer() {
            @Override
            public AcceptedFrame restore(String topic, int partition, long offset, BufferedFrame stored)
                    throws MicroBatcher.RestoreException {
                try {
                    Frame frame = frameReader.deserialize(topic, stored.value());
                    byte[] image = new byte[frame.getImage().remaining()];
                    frame.getImage().duplicate().get(image);
                    FrameIntake.Image prepared = FrameIntake.Image.of(image, preprocessing.current(), detect);
                    Long original = FrameIntake.trustCaptureTime(frame, clock, System.currentTimeMillis());
                    return new AcceptedFrame(frame, stored.key(), stored.value(), topic, partition, offset,
                            stored.timestamp(), prepared.prepared(), prepared.decoded(), original);
                } catch (RecordDecodeException e) {
                    throw new MicroBatcher.RestoreException(e.reason(), e.getMessage());
                } catch (ImageRejectedException e) {
                    throw new MicroBatcher.RestoreException(EventLabels.reason(e.reason()), e.getMessage());
                }
            }

            @Override
            public Map<Long, BufferedFrame> readBack(String topic, int partition, java.util.SortedSet<Long> offsets) {
                return FrameReadBack.read(config, topic, partition, offsets);
            }

            @Override
            public String topic() {
                return frames.name();
            }
        };
        int maxBatch = config.getInt(ProcessorConfig.MAX_BATCH_SIZE);
        Duration maxDelay = Duration.ofMillis(config.getLong(ProcessorConfig.MAX_BATCH_DELAY_MS));
        boolean tta = config.getBoolean(ProcessorConfig.FLIP_TTA);

        // The buffer holds a few batches at most, so it lives in memory and its changelog makes it durable (an
        // on-disk store would flush RocksDB at every commit, measured here at a third of the throughput). It keeps
        // frames by reference (offset and timestamp; they are read back from the frames topic after a crash). The
        // store is cached: a frame put and deleted within one commit interval never reaches the changelog; only
        // frames still buffered when Streams commits are written there, in the same transaction. Small segments let
        // compaction keep the changelog, and so the restore after a crash, short.
        Map<String, String> changelog = new HashMap<>();
        changelog.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(maxRecordBytes(config)));
        changelog.put(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(32 * 1024 * 1024));
        changelog.put(TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(10 * 60 * 1000));
        changelog.put(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1");
        changelog.put(TopicConfig.DELETE_RETENTION_MS_CONFIG, String.valueOf(60 * 60 * 1000));

        Topology topology = new Topology();
        topology.addSource((org.apache.kafka.streams.AutoOffsetReset) null, SOURCE, clock, Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer(), frames.name());
        topology.addProcessor(INTAKE, () -> new FrameIntake(frameReader, preprocessing, detect, metrics, clock), SOURCE);
        FaceTracker tracker = detect ? new FaceTracker(config.getInt(ProcessorConfig.TRACKING_MAX_GAP_FRAMES),
                config.getDouble(ProcessorConfig.TRACKING_MIN_IOU)) : null;
        // One scheduler for the whole instance: every task's frames join the same micro-batches.
        FrameInference engine = new FrameInference(models, tta, config.mcDropout(), detect, metrics);
        TrialServing trialServing = new TrialServing(trials, engine, inference.shadows(),
                config.getLong(ProcessorConfig.SHADOW_TIMEOUT_MS), metrics);
        BatchScheduler scheduler = new BatchScheduler(maxBatch, maxDelay, inference, engine, trialServing, metrics);
        topology.addProcessor(BATCHER, () -> new MicroBatcher(scheduler, restorer, metrics, tracker), INTAKE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BUFFER_STORE), Serdes.Long(),
                BufferedFrame.serde()).withLoggingEnabled(changelog).withCachingEnabled(), BATCHER);
        if (detect) {
            // One small entry per camera; in the same transactions as the events, so track ids survive a crash.
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TRACKS_STORE), Serdes.String(),
                    CameraTracks.serde()).withLoggingEnabled(Map.of()).withCachingEnabled(), BATCHER);
        }
        topology.addSink(CLASSIFICATIONS_SINK, classifications.name(), classifications.keySerde().serializer(),
                classifications.valueSerde().serializer(), BATCHER);
        topology.addSink(SHADOW_SINK, shadowClassifications.name(), shadowClassifications.keySerde().serializer(),
                shadowClassifications.valueSerde().serializer(), BATCHER);
        topology.addSink(DEAD_LETTER_SINK, deadLetters.name(), deadLetters.keySerde().serializer(),
                deadLetters.valueSerde().serializer(), INTAKE, BATCHER);
        return topology;
    }

    /** Largest record the processor writes: a dead letter or a buffered frame carries a whole frame. */
    static int maxRecordBytes(ServiceConfig config) {
        return config.getInt(CommonConfig.TOPIC_FRAMES_MAX_BYTES) + 256 * 1024;
    }

    /**
     * Kafka Streams settings: ours first, then every {@code kafka.*} / {@code kafka.streams.*} setting of the
     * user on top, untouched.
     */
    public static Properties streamsProperties(ProcessorConfig config) {
        Properties props = new Properties();
        long delay = config.getLong(ProcessorConfig.MAX_BATCH_DELAY_MS);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ProcessorConfig.APPLICATION_ID));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(ProcessorConfig.PROCESSING_GUARANTEE));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(ProcessorConfig.STREAM_THREADS));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(ProcessorConfig.COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ProcessorConfig.STATE_DIR));
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.getShort(CommonConfig.TOPIC_REPLICATION_FACTOR));
        props.put("processing.exception.handler.global.enabled", true); // Kafka 5.0's default
        // Punctuation only runs between polls: poll no longer than half the batch deadline.
        props.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1, Math.min(100, delay / 2)));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRecordBytes(config));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 8 * 1024 * 1024);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 500);
        config.membership().apply(props);
        props.putAll(config.kafkaProperties(ServiceConfig.ClientKind.STREAMS));
        requireInferenceWithinTransaction(config, props);
        return props;
    }

    /**
     * A stream thread that waits for a batch keeps its transaction open; waiting longer than the transaction timeout
     * gets the transaction aborted and the producer fenced. The wait is at most twice the inference timeout (the
     * batch, then its frame-by-frame retry).
     */
    static void requireInferenceWithinTransaction(ProcessorConfig config, Properties props) {
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
            return;
        }
        Object set = props.getOrDefault(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                props.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        long transactionMs = set == null ? 10_000 : Long.parseLong(set.toString().trim());
        long inferenceMs = config.getLong(ProcessorConfig.INFERENCE_TIMEOUT_MS);
        if (2 * inferenceMs >= transactionMs) {
            throw new io.maskstream.runtime.config.ConfigException("Invalid value " + inferenceMs + " for configuration "
                    + ProcessorConfig.INFERENCE_TIMEOUT_MS + ": twice it must stay below the transaction timeout ("
                    + transactionMs + " ms; raise kafka.streams.producer.transaction.timeout.ms or lower "
                    + ProcessorConfig.INFERENCE_TIMEOUT_MS + ")");
        }
    }
}
