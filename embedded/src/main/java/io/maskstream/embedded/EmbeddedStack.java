package io.maskstream.embedded;

import io.maskstream.runtime.Service;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Kafka broker and a schema registry on one machine: what {@code maskstream stack} and the
 * integration tests run against. Stops in reverse order; nothing is left running or bound.
 */
public final class EmbeddedStack implements Service {

    private final EmbeddedKafka kafka;
    private final EmbeddedRegistry registry;

    public EmbeddedStack(Path workDir, String host, int kafkaPort, int registryPort, Map<String, String> brokerOverrides) {
        this.kafka = new EmbeddedKafka(host, kafkaPort, workDir.resolve("kafka-logs"), brokerOverrides);
        this.registry = new EmbeddedRegistry(host, registryPort, null, workDir.resolve("schema-registry.log"));
    }

    @Override
    public String name() {
        return "embedded-stack";
    }

    @Override
    public void start() throws Exception {
        try {
            kafka.start();
            registry.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
