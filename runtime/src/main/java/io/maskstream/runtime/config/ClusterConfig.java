package io.maskstream.runtime.config;

import org.apache.kafka.common.config.ConfigDef;

/** Only the common keys: for tools and tests that talk to the cluster and the registry and nothing else. */
public final class ClusterConfig extends ServiceConfig {

    private static final ConfigDef DEFINITION = CommonConfig.define(new ConfigDef());

    public ClusterConfig(ConfigSource source) {
        super(DEFINITION, source);
    }
}
