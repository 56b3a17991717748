package io.maskstream.runtime.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * A service's parsed, validated configuration. Construction fails with a {@link ConfigException} naming
 * the key when a value is invalid or a key is known to no service. Keys under {@value #KAFKA_PREFIX} are
 * not interpreted: they go to the Kafka clients untouched ({@link #kafkaProperties(ClientKind)}).
 */
public abstract class ServiceConfig extends AbstractConfig {

    /** Prefix of Kafka client settings passed through as they are (e.g. {@code kafka.security.protocol}). */
    public static final String KAFKA_PREFIX = "kafka.";

    /** The kinds of Kafka client a service builds; {@code kafka.<kind>.x} applies to that kind only. */
    public enum ClientKind {
        PRODUCER, CONSUMER, ADMIN, STREAMS;

        String prefix() {
            return KAFKA_PREFIX + name().toLowerCase(java.util.Locale.ROOT) + ".";
        }
    }

    private final ConfigSource source;

    protected ServiceConfig(ConfigDef definition, ConfigSource source) {
        super(definition, parse(definition, source), false);
        this.source = source;
    }

    private static Map<String, String> parse(ConfigDef definition, ConfigSource source) {
        Map<String, String> values = source.values();
        Set<String> known = knownKeys();
        known.addAll(definition.names());
        for (String key : values.keySet()) {
            if (!key.startsWith(KAFKA_PREFIX) && !known.contains(key)) {
                throw new ConfigException("Unknown configuration key '" + key + "' (from " + source.originOf(key)
                        + "). Kafka client settings go under '" + KAFKA_PREFIX + "'; see the configuration reference"
                        + " in README.md" + suggestion(key, known));
            }
        }
        Map<String, String> own = new HashMap<>();
        values.forEach((k, v) -> {
            if (definition.names().contains(k)) {
                own.put(k, v);
            }
        });
        try {
            definition.parse(own);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            String key = keyIn(e.getMessage(), own.keySet(), definition.names());
            throw new ConfigException(e.getMessage() + (key == null ? "" : " (from " + source.originOf(key) + ")"), e);
        }
        return own;
    }

    private static String keyIn(String message, Set<String> given, Set<String> all) {
        if (message == null) {
            return null;
        }
        return all.stream().filter(k -> message.contains(" " + k + ":") || message.contains("\"" + k + "\"")
                || message.contains("configuration " + k)).filter(given::contains).findFirst().orElse(null);
    }

    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 4) ? ". Did you mean '" + best + "'?" : ".";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Every key of every service on the classpath (found through {@link ConfigDefinitions}). */
    public static Set<String> knownKeys() {
        Set<String> keys = new TreeSet<>(CommonConfig.define(new ConfigDef()).names());
        for (ConfigDefinitions d : ServiceLoader.load(ConfigDefinitions.class)) {
            keys.addAll(d.definition().names());
        }
        return keys;
    }

    /** Every service's definitions on the classpath, for generated documentation. */
    public static List<ConfigDefinitions> allDefinitions() {
        return ServiceLoader.load(ConfigDefinitions.class).stream().map(ServiceLoader.Provider::get)
                .sorted(java.util.Comparator.comparing(ConfigDefinitions::service)).toList();
    }

    /**
     * Properties for a Kafka client of the given kind: {@code bootstrap.servers}, {@code schema.registry.url}
     * (read by the serdes), every {@code kafka.x} key as {@code x}, then every {@code kafka.<kind>.x} key as
     * {@code x}. Nothing else is added, so security settings reach the client as the user wrote them.
     */
    public Map<String, Object> kafkaProperties(ClientKind kind) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonConfig.BOOTSTRAP_SERVERS, String.join(",", getList(CommonConfig.BOOTSTRAP_SERVERS)));
        if (values().containsKey(CommonConfig.SCHEMA_REGISTRY_URL)) {
            props.put(CommonConfig.SCHEMA_REGISTRY_URL, getString(CommonConfig.SCHEMA_REGISTRY_URL));
        }
        Map<String, String> raw = source.values();
        raw.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX) && java.util.Arrays.stream(ClientKind.values())
                    .noneMatch(c -> k.startsWith(c.prefix()))) {
                props.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        raw.forEach((k, v) -> {
            if (k.startsWith(kind.prefix())) {
                props.put(k.substring(kind.prefix().length()), v);
            }
        });
        return props;
    }

    /** The raw source, e.g. to build another service's configuration from the same file and environment. */
    public ConfigSource source() {
        return source;
    }

    /** Name of the dead-letter topic for {@code topic}. */
    public String deadLetterTopic(String topic) {
        return topic + getString(CommonConfig.TOPIC_DLQ_SUFFIX);
    }
}
