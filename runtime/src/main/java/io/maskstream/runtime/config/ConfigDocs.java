package io.maskstream.runtime.config;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;

/** Renders a {@link ConfigDef} as the Markdown reference in README.md, so the docs come from the code. */
public final class ConfigDocs {

    private ConfigDocs() {
    }

    /** A Markdown table: key, environment variable, type, default, valid values, description. */
    public static String markdown(ConfigDef def) {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | environment variable | type | default | valid values | description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        List<ConfigDef.ConfigKey> keys = def.configKeys().values().stream()
                .sorted(java.util.Comparator.comparing(k -> k.name)).collect(Collectors.toList());
        for (ConfigDef.ConfigKey key : keys) {
            sb.append("| `").append(key.name).append("` | `").append(ConfigSource.environmentVariableForKey(key.name))
                    .append("` | ").append(key.type.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(key.hasDefault() ? "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`" : "*required*")
                    .append(" | ").append(key.validator == null ? "" : escape(key.validator.toString()))
                    .append(" | ").append(escape(key.documentation)).append(" |\n");
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
