package io.maskstream.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where raw configuration values come from, merged in rising precedence: a properties file, the
 * environment ({@code MASKSTREAM_PROCESSOR_MAX_BATCH_SIZE} is {@code processor.max.batch.size}) and
 * explicit overrides (command-line {@code --set key=value}). Values stay strings here; parsing and
 * validation happen against a service's {@link org.apache.kafka.common.config.ConfigDef}.
 */
public final class ConfigSource {

    /** Environment variables with this prefix are configuration; all others are ignored. */
    public static final String ENV_PREFIX = "MASKSTREAM_";
    /** The variable naming a properties file, used when no file is given explicitly. */
    public static final String ENV_CONFIG_FILE = "MASKSTREAM_CONFIG_FILE";
    /** Variables of the launch scripts, not configuration keys: JVM options and the log level. */
    public static final java.util.Set<String> LAUNCHER_VARIABLES = java.util.Set.of(ENV_CONFIG_FILE,
            "MASKSTREAM_JAVA_OPTS", "MASKSTREAM_LOG_LEVEL", "MASKSTREAM_REBUILD");

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private ConfigSource(Map<String, String> values, Map<String, String> origins) {
        this.values = values;
        this.origins = origins;
    }

    /** No values at all: every key takes its default. */
    public static ConfigSource empty() {
        return new ConfigSource(new TreeMap<>(), new TreeMap<>());
    }

    /** Values given directly, e.g. by a test or an embedding application. */
    public static ConfigSource of(Map<String, ?> values) {
        return empty().with(values, "override");
    }

    /**
     * The standard chain: the file (if given, else the one named by {@value #ENV_CONFIG_FILE}),
     * then the environment, then the overrides.
     */
    public static ConfigSource load(Path file, Map<String, String> env, Map<String, ?> overrides) {
        ConfigSource source = empty();
        Path effectiveFile = file;
        if (effectiveFile == null && env.get(ENV_CONFIG_FILE) != null && !env.get(ENV_CONFIG_FILE).isBlank()) {
            effectiveFile = Path.of(env.get(ENV_CONFIG_FILE));
        }
        if (effectiveFile != null) {
            source = source.withFile(effectiveFile);
        }
        return source.withEnvironment(env).with(overrides, "override");
    }

    /** Adds the keys of a properties file, which must exist and be readable. */
    public ConfigSource withFile(Path file) {
        Properties props = new Properties();
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("Configuration file " + file + " does not exist or is not a file");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> map.put(k.trim(), props.getProperty(k).trim()));
        return with(map, "file " + file);
    }

    /** Adds every {@code MASKSTREAM_*} variable except the {@link #LAUNCHER_VARIABLES}, mapped to its dotted key. */
    public ConfigSource withEnvironment(Map<String, String> env) {
        Map<String, String> map = new TreeMap<>();
        Map<String, String> names = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && !LAUNCHER_VARIABLES.contains(name)) {
                String key = keyForEnvironmentVariable(name);
                map.put(key, value);
                names.put(key, "environment variable " + name);
            }
        });
        ConfigSource merged = with(map, "environment");
        names.forEach(merged.origins::put);
        return merged;
    }

    /** Adds (and overrides with) the given values. */
    public ConfigSource with(Map<String, ?> more, String origin) {
        Map<String, String> v = new TreeMap<>(values);
        Map<String, String> o = new TreeMap<>(origins);
        more.forEach((k, val) -> {
            Objects.requireNonNull(val, () -> "value of " + k);
            v.put(k, String.valueOf(val));
            o.put(k, origin);
        });
        return new ConfigSource(v, o);
    }

    /** {@code MASKSTREAM_KAFKA_SASL_MECHANISM} → {@code kafka.sasl.mechanism}. */
    public static String keyForEnvironmentVariable(String name) {
        return name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code processor.max.batch.size} → {@code MASKSTREAM_PROCESSOR_MAX_BATCH_SIZE}. */
    public static String environmentVariableForKey(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The raw values, key → string. */
    public Map<String, String> values() {
        return new TreeMap<>(values);
    }

    /** Where a key's value came from, for error messages ("file x.properties", "environment variable …"). */
    public String originOf(String key) {
        return origins.getOrDefault(key, "default");
    }
}
