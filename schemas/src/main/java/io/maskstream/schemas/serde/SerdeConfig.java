package io.maskstream.schemas.serde;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** The serde settings, under Confluent's key names so either implementation reads the same configuration. */
final class SerdeConfig {

    static final String URL = "schema.registry.url";
    static final String AUTO_REGISTER = "auto.register.schemas";
    static final String USE_LATEST = "use.latest.version";
    static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    static final String USER_INFO = "basic.auth.user.info";

    private SerdeConfig() {
    }

    static SchemaRegistryClient client(Map<String, ?> configs) {
        Object url = configs.get(URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(URL, url, "the Avro serdes need the schema registry URL");
        }
        String first = url.toString().split(",")[0].trim();
        String userInfo = null;
        Object source = configs.get(CREDENTIALS_SOURCE);
        if (source != null && "USER_INFO".equalsIgnoreCase(source.toString())) {
            Object info = configs.get(USER_INFO);
            userInfo = info == null ? null : info.toString();
        }
        return SchemaRegistryClient.shared(first, userInfo);
    }

    static boolean flag(Map<String, ?> configs, String key, boolean defaultValue) {
        Object v = configs.get(key);
        return v == null ? defaultValue : Boolean.parseBoolean(v.toString());
    }
}
