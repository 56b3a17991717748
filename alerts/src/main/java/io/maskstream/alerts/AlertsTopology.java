package io.maskstream.alerts;

import io.maskstream.events.Alert;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The alerts service's Kafka Streams topology:
 * <pre>
 *   classifications ─► intake ─► episode-detector [alert-episodes, alert-people stores, changelogged] ─► alerts
 *                        └─► classifications-dlq (records that cannot be used)
 * </pre>
 * Built by static methods so {@code TopologyTestDriver} tests run the same code without a broker.
 * Records are keyed by camera id, so all frames of a camera reach the same task and its state.
 */
public final class AlertsTopology {

    /** Name of the per-camera episode store (its changelog is {@code <application.id>-alert-episodes-changelog}). */
    public static final String STORE = "alert-episodes";
    /** Name of the per-person store of detect-mode cameras (its changelog is {@code <application.id>-alert-people-changelog}). */
    public static final String PEOPLE_STORE = "alert-people";
    static final String SOURCE = "classifications-source";
    static final String INTAKE = "intake";
    static final String DETECTOR = "episode-detector";
    static final String ALERTS_SINK = "alerts-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private AlertsTopology() {
    }

    /** The topology on the configured topics, with meters in Micrometer's global registry. */
    public static Topology build(AlertsConfig config, Topics topics) {
        return build(config, topics, Metrics.globalRegistry);
    }

    /** The topology on the configured topics. */
    public static Topology build(AlertsConfig config, Topics topics, MeterRegistry registry) {
        Topic<String, Classification> classifications = topics.classifications();
        return build(config, classifications, topics.alerts(), topics.deadLetters(classifications.name()), registry);
    }

    /**
     * The topology on the given topics and serdes: the input's value serde reads classifications, the output's
     * writes alerts, the dead-letter topic's writes dead letters.
     */
    public static Topology build(AlertsConfig config, Topic<String, Classification> classifications,
                                 Topic<String, Alert> alerts, Topic<byte[], DeadLetter> deadLetters,
                                 MeterRegistry registry) {
        return build(config.rules(), classifications, alerts, deadLetters, new AlertsMetrics(registry));
    }

    static Topology build(DebounceRules rules, Topic<String, Classification> classifications, Topic<String, Alert> alerts,
                          Topic<byte[], DeadLetter> deadLetters, AlertsMetrics metrics) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                classifications.name());
        topology.addProcessor(INTAKE, () -> new ClassificationIntake(classifications.valueSerde().deserializer(),
                DETECTOR, DEAD_LETTER_SINK, metrics), SOURCE);
        topology.addProcessor(DETECTOR, () -> new EpisodeDetector(rules, STORE, PEOPLE_STORE, metrics), INTAKE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                CameraState.serde()).withLoggingEnabled(java.util.Map.of()).withCachingEnabled(), DETECTOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PEOPLE_STORE), Serdes.String(),
                PeopleState.serde()).withLoggingEnabled(java.util.Map.of()).withCachingEnabled(), DETECTOR);
        topology.addSink(ALERTS_SINK, alerts.name(), alerts.keySerde().serializer(), alerts.valueSerde().serializer(),
                DETECTOR);
        topology.addSink(DEAD_LETTER_SINK, deadLetters.name(), deadLetters.keySerde().serializer(),
                deadLetters.valueSerde().serializer(), INTAKE);
        return topology;
    }

    /**
     * Kafka Streams settings: the user's {@code kafka.*} / {@code kafka.streams.*} settings, with ours on top
     * (application id, processing guarantee, threads, commit interval, state directory, replication factor of
     * the changelog).
     */
    public static Properties streamsProperties(AlertsConfig config) {
        Properties props = new Properties();
        config.membership().apply(props);
        props.putAll(config.kafkaProperties(ServiceConfig.ClientKind.STREAMS));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(AlertsConfig.APPLICATION_ID));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(AlertsConfig.PROCESSING_GUARANTEE));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(AlertsConfig.STREAM_THREADS));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(AlertsConfig.COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(AlertsConfig.STATE_DIR));
        props.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG,
                (int) config.getShort(CommonConfig.TOPIC_REPLICATION_FACTOR));
        return props;
    }
}
