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
    static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

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
        Object location = configs.get(TRUSTSTORE_LOCATION);
        SchemaRegistryClient.Truststore truststore = location == null || location.toString().isBlank() ? null
                : new SchemaRegistryClient.Truststore(location.toString(), string(configs.get(TRUSTSTORE_PASSWORD)),
                        string(configs.get(TRUSTSTORE_TYPE)));
        return SchemaRegistryClient.shared(first, userInfo, truststore);
    }

    private static String string(Object value) {
        if (value instanceof org.apache.kafka.common.config.types.Password p) {
            return p.value();
        }
        return value == null ? null : value.toString();
    }

    static boolean flag(Map<String, ?> configs, String key, boolean defaultValue) {
        Object v = configs.get(key);
        return v == null ? defaultValue : Boolean.parseBoolean(v.toString());
    }
}
