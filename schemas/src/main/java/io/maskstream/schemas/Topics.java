package io.maskstream.schemas;

import io.maskstream.events.Alert;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DriftEvent;
import io.maskstream.events.Frame;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.ModelArtifactChunk;
import io.maskstream.events.ModelRelease;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every maskstream topic: its configured name, its key and value serdes, and how it is created
 * (partitions, retention, compaction, size limits). Keys are plain UTF-8 strings (readable by any
 * client); values are Avro in the Confluent wire format.
 */
public final class Topics {

    /** Headroom above a frame's bytes for the record envelope and the dead letter's metadata. */
    private static final int ENVELOPE_BYTES = 64 * 1024;

    private final ServiceConfig config;
    private final Map<String, Object> serdeConfig;

    public Topics(ServiceConfig config) {
        this.config = config;
        this.serdeConfig = config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER);
    }

    private <V extends SpecificRecord> Topic<String, V> topic(String key, Class<V> type) {
        return new Topic<>(config.getString(key), Serdes.String(), AvroSerde.of(type, serdeConfig, false));
    }

    public Topic<String, Frame> frames() {
        return topic(CommonConfig.TOPIC_FRAMES, Frame.class);
    }

    public Topic<String, LabeledFrame> labeledFrames() {
        return topic(CommonConfig.TOPIC_LABELED_FRAMES, LabeledFrame.class);
    }

    public Topic<String, Classification> classifications() {
        return topic(CommonConfig.TOPIC_CLASSIFICATIONS, Classification.class);
    }

    /** Events of shadow models (and of the active model on a canary's cameras); alerts never read it. */
    public Topic<String, Classification> shadowClassifications() {
        return topic(CommonConfig.TOPIC_CLASSIFICATIONS_SHADOW, Classification.class);
    }

    public Topic<String, Alert> alerts() {
        return topic(CommonConfig.TOPIC_ALERTS, Alert.class);
    }

    /** Drift alarms of the online evaluation; key: the camera id, {@code *} for a model version's overall window. */
    public Topic<String, DriftEvent> drift() {
        return topic(CommonConfig.TOPIC_DRIFT, DriftEvent.class);
    }

    public Topic<String, ModelRelease> modelReleases() {
        return topic(CommonConfig.TOPIC_MODEL_RELEASES, ModelRelease.class);
    }

    public Topic<String, ModelArtifactChunk> modelArtifacts() {
        return topic(CommonConfig.TOPIC_MODEL_ARTIFACTS, ModelArtifactChunk.class);
    }

    /** The dead-letter topic of {@code sourceTopic} (its name plus the configured suffix). */
    public Topic<byte[], DeadLetter> deadLetters(String sourceTopic) {
        return new Topic<>(config.deadLetterTopic(sourceTopic), Serdes.ByteArray(),
                AvroSerde.of(DeadLetter.class, serdeConfig, false));
    }

    /** Largest frame record the frame topics accept. */
    public int maxFrameBytes() {
        return config.getInt(CommonConfig.TOPIC_FRAMES_MAX_BYTES);
    }

    /** The topics to create on a new cluster, with their settings. */
    public List<NewTopic> newTopics() {
        int partitions = config.getInt(CommonConfig.TOPIC_PARTITIONS);
        short rf = config.getShort(CommonConfig.TOPIC_REPLICATION_FACTOR);
        String frameBytes = String.valueOf(maxFrameBytes() + ENVELOPE_BYTES);
        List<NewTopic> topics = new ArrayList<>();
        topics.add(data(frames().name(), partitions, rf,
                Duration.ofMillis(config.getLong(CommonConfig.TOPIC_FRAMES_RETENTION_MS)), frameBytes));
        topics.add(data(labeledFrames().name(), partitions, rf, Duration.ofDays(30), frameBytes));
        topics.add(data(classifications().name(), partitions, rf, Duration.ofDays(7), null));
        topics.add(data(shadowClassifications().name(), partitions, rf, Duration.ofDays(7), null));
        topics.add(data(alerts().name(), partitions, rf, Duration.ofDays(30), null));
        topics.add(data(drift().name(), partitions, rf, Duration.ofDays(30), null));
        // A frame's dead letter holds the frame, face included: no longer than the frames themselves by default.
        topics.add(data(config.deadLetterTopic(frames().name()), partitions, rf,
                Duration.ofMillis(config.getLong(CommonConfig.TOPIC_FRAMES_DLQ_RETENTION_MS)),
                String.valueOf(maxFrameBytes() + 2 * ENVELOPE_BYTES)));
        for (String source : List.of(labeledFrames().name(), classifications().name())) {
            topics.add(data(config.deadLetterTopic(source), partitions, rf, Duration.ofDays(30),
                    String.valueOf(maxFrameBytes() + 2 * ENVELOPE_BYTES)));
        }
        topics.add(new NewTopic(modelReleases().name(), 1, rf).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0")));
        topics.add(new NewTopic(modelArtifacts().name(), 1, rf).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(ModelArtifacts.CHUNK_BYTES + ENVELOPE_BYTES))));
        return topics;
    }

    private static NewTopic data(String name, int partitions, short rf, Duration retention, String maxBytes) {
        NewTopic t = new NewTopic(name, partitions, rf);
        Map<String, String> conf = new java.util.HashMap<>();
        conf.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention.toMillis()));
        if (maxBytes != null) {
            conf.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        }
        return t.configs(conf);
    }
}
