package io.maskstream.runtime.config;

import org.apache.kafka.common.config.ConfigDef;

/**
 * One service's configuration keys, published through {@link java.util.ServiceLoader} so that a shared
 * properties file or environment may hold keys of every service on the classpath while a key that no
 * service knows still stops start-up.
 */
public interface ConfigDefinitions {

    /** The service these keys configure, e.g. {@code processor}. */
    String service();

    /** Its keys, including the common ones. */
    ConfigDef definition();
}
