package io.maskstream.runtime.cli;

import io.maskstream.runtime.config.ConfigSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration options every {@code maskstream} command takes (a picocli mixin):
 * {@code --config FILE} and repeatable {@code --set key=value}, on top of {@code MASKSTREAM_*} variables.
 */
public final class ConfigOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file with configuration keys (default: $MASKSTREAM_CONFIG_FILE, if set).")
    Path file;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Sets one configuration key; overrides the file and the environment. Repeatable.")
    Map<String, String> sets = new LinkedHashMap<>();

    /** The configuration source: file, then environment, then {@code --set}, then {@code extra} (highest). */
    public ConfigSource source(Map<String, String> extra) {
        Map<String, String> overrides = new LinkedHashMap<>(sets);
        overrides.putAll(extra);
        return ConfigSource.load(file, System.getenv(), overrides);
    }

    public ConfigSource source() {
        return source(Map.of());
    }
}
