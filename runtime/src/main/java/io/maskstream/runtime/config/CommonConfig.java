package io.maskstream.runtime.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Keys every service shares: where Kafka and the schema registry are, what the topics are called, and
 * where the service's metrics and health endpoint listens.
 */
public final class CommonConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOPIC_FRAMES = "topic.frames";
    public static final String TOPIC_LABELED_FRAMES = "topic.labeled.frames";
    public static final String TOPIC_CLASSIFICATIONS = "topic.classifications";
    public static final String TOPIC_CLASSIFICATIONS_SHADOW = "topic.classifications.shadow";
    public static final String TOPIC_ALERTS = "topic.alerts";
    public static final String TOPIC_DRIFT = "topic.drift";
    public static final String TOPIC_MODEL_RELEASES = "topic.model.releases";
    public static final String TOPIC_MODEL_ARTIFACTS = "topic.model.artifacts";
    public static final String TOPIC_DLQ_SUFFIX = "topic.dlq.suffix";
    public static final String TOPIC_PARTITIONS = "topic.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
    public static final String TOPIC_FRAMES_MAX_BYTES = "topic.frames.max.message.bytes";
    public static final String TOPIC_FRAMES_RETENTION_MS = "topic.frames.retention.ms";
    public static final String TOPIC_FRAMES_DLQ_RETENTION_MS = "topic.frames.dlq.retention.ms";
    public static final String METRICS_HOST = "metrics.host";
    public static final String METRICS_PORT = "metrics.port";

    private CommonConfig() {
    }

    /** Adds the common keys to {@code def} and returns it. */
    public static ConfigDef define(ConfigDef def) {
        return def
                .define(BOOTSTRAP_SERVERS, Type.LIST, "127.0.0.1:9092", ConfigDef.CompositeValidator.of(
                        new ConfigDef.NonNullValidator(), nonEmptyList()), Importance.HIGH,
                        "Kafka brokers to bootstrap from (host:port, comma-separated).")
                .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081/apis/ccompat/v7", httpUrl(),
                        Importance.HIGH, "Base URL of a Confluent-compatible schema registry API (Apicurio: "
                                + "/apis/ccompat/v7; Confluent: the server root).")
                .define(TOPIC_FRAMES, Type.STRING, "frames", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Topic of camera frames (key: camera id).")
                .define(TOPIC_LABELED_FRAMES, Type.STRING, "labeled-frames", new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM, "Topic of frames with ground truth, for training and evaluation.")
                .define(TOPIC_CLASSIFICATIONS, Type.STRING, "classifications", new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM, "Topic of per-frame classification events.")
                .define(TOPIC_CLASSIFICATIONS_SHADOW, Type.STRING, "classifications-shadow", new ConfigDef.NonEmptyString(),
                        Importance.LOW, "Classification events of shadow models (and of the active model on a canary's "
                        + "cameras): the same schema as the classifications topic, never read by alerts.")
                .define(TOPIC_ALERTS, Type.STRING, "alerts", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Topic of unmasked / incorrectly masked alerts.")
                .define(TOPIC_DRIFT, Type.STRING, "drift-events", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Topic of drift events: a camera's (or a model version's overall) live answers moved away from "
                        + "the release's training profile (key: camera id, * for overall).")
                .define(TOPIC_MODEL_RELEASES, Type.STRING, "model-releases", new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM, "Compacted topic of model releases (key: model version).")
                .define(TOPIC_MODEL_ARTIFACTS, Type.STRING, "model-artifacts", new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM, "Topic carrying model bundles in chunks, so no shared filesystem is needed.")
                .define(TOPIC_DLQ_SUFFIX, Type.STRING, "-dlq", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Suffix appended to a topic's name to name its dead-letter topic.")
                .define(TOPIC_PARTITIONS, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                        "Partitions of the data topics when maskstream creates them; more partitions allow more "
                                + "processor instances.")
                .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                        "Replication factor of the topics when maskstream creates them (1 for the embedded broker).")
                .define(TOPIC_FRAMES_MAX_BYTES, Type.INT, 4 * 1024 * 1024, ConfigDef.Range.between(64 * 1024, 64 * 1024 * 1024),
                        Importance.MEDIUM, "Largest frame record (bytes) the frames and labeled-frames topics accept; "
                                + "a larger frame is refused by the producer with a clear error for that frame.")
                .define(TOPIC_FRAMES_RETENTION_MS, Type.LONG, 24L * 3600 * 1000, ConfigDef.Range.atLeast(60_000),
                        Importance.MEDIUM, "How long the frames topic keeps camera images (faces) when maskstream creates "
                                + "it.")
                .define(TOPIC_FRAMES_DLQ_RETENTION_MS, Type.LONG, 24L * 3600 * 1000, ConfigDef.Range.atLeast(60_000),
                        Importance.MEDIUM, "How long the frames dead-letter topic keeps the frames it holds (faces too) "
                                + "when maskstream creates it; by default no longer than the frames topic.")
                .define(METRICS_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Interface the metrics and health endpoint binds to (loopback by default).")
                .define(METRICS_PORT, Type.INT, 0, ConfigDef.Range.between(-1, 65535), Importance.LOW,
                        "Port of the metrics and health endpoint; 0 picks a free port, -1 disables it.");
    }

    static ConfigDef.Validator nonEmptyList() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (value instanceof java.util.List<?> list && (list.isEmpty() || list.stream().anyMatch(
                    e -> e == null || e.toString().isBlank()))) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "must list at least one host:port");
            }
        }, () -> "non-empty list of host:port");
    }

    /** An http(s) URL. */
    public static ConfigDef.Validator httpUrl() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String s = value == null ? "" : value.toString();
            try {
                java.net.URI uri = new java.net.URI(s);
                if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                        || uri.getHost() == null) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, "must be an http(s) URL");
                }
            } catch (java.net.URISyntaxException e) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "must be an http(s) URL");
            }
        }, () -> "http(s) URL");
    }
}
