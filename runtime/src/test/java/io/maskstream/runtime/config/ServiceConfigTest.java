package io.maskstream.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {

    static final class ExampleConfig extends ServiceConfig {
        static final ConfigDef DEF = CommonConfig.define(new ConfigDef())
                .define("example.batch.size", ConfigDef.Type.INT, 8, ConfigDef.Range.between(1, 512),
                        ConfigDef.Importance.HIGH, "Batch size.");

        ExampleConfig(ConfigSource source) {
            super(DEF, source);
        }
    }

    @Test
    void defaultsApplyWhenNothingIsGiven() {
        ExampleConfig config = new ExampleConfig(ConfigSource.empty());
        assertThat(config.getInt("example.batch.size")).isEqualTo(8);
        assertThat(config.getString(CommonConfig.TOPIC_FRAMES)).isEqualTo("frames");
    }

    @Test
    void environmentOverridesFileAndOverridesOverrideEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("maskstream.properties");
        Files.writeString(file, "example.batch.size=16\ntopic.frames=cam-frames\n");
        ConfigSource source = ConfigSource.load(file,
                Map.of("MASKSTREAM_EXAMPLE_BATCH_SIZE", "32", "HOME", "/root"), Map.of("topic.frames", "x"));
        ExampleConfig config = new ExampleConfig(source);
        assertThat(config.getInt("example.batch.size")).isEqualTo(32);
        assertThat(config.getString(CommonConfig.TOPIC_FRAMES)).isEqualTo("x");
    }

    @Test
    void fileNamedByEnvironmentIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "example.batch.size=4\n");
        ExampleConfig config = new ExampleConfig(ConfigSource.load(null,
                Map.of(ConfigSource.ENV_CONFIG_FILE, file.toString()), Map.of()));
        assertThat(config.getInt("example.batch.size")).isEqualTo(4);
    }

    @Test
    void unknownKeyStopsStartUpNamingTheKeyAndItsOrigin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "example.batch.sise=4\n");
        assertThatThrownBy(() -> new ExampleConfig(ConfigSource.empty().withFile(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("example.batch.sise")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("Did you mean 'example.batch.size'");
    }

    @Test
    void unknownEnvironmentVariableIsNamed() {
        assertThatThrownBy(() -> new ExampleConfig(ConfigSource.empty().withEnvironment(Map.of("MASKSTREAM_NOPE", "1"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'nope'")
                .hasMessageContaining("MASKSTREAM_NOPE");
    }

    @Test
    void invalidValueStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> new ExampleConfig(ConfigSource.of(Map.of("example.batch.size", "0"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("example.batch.size");
        assertThatThrownBy(() -> new ExampleConfig(ConfigSource.of(Map.of("example.batch.size", "many"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("example.batch.size");
        assertThatThrownBy(() -> new ExampleConfig(ConfigSource.of(Map.of("schema.registry.url", "localhost:8081"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void kafkaClientSettingsPassThroughUntouched() {
        ExampleConfig config = new ExampleConfig(ConfigSource.of(Map.of(
                "bootstrap.servers", "b1:9093,b2:9093",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;",
                "kafka.producer.linger.ms", "10",
                "kafka.consumer.max.poll.records", "50")));
        Map<String, Object> producer = config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER);
        assertThat(producer).containsEntry("bootstrap.servers", "b1:9093,b2:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;")
                .containsEntry("linger.ms", "10")
                .doesNotContainKey("max.poll.records");
        assertThat(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER))
                .containsEntry("max.poll.records", "50").doesNotContainKey("linger.ms");
    }

    @Test
    void environmentVariableNamesMapBothWays() {
        assertThat(ConfigSource.environmentVariableForKey("processor.max.batch.size"))
                .isEqualTo("MASKSTREAM_PROCESSOR_MAX_BATCH_SIZE");
        assertThat(ConfigSource.keyForEnvironmentVariable("MASKSTREAM_KAFKA_SASL_MECHANISM"))
                .isEqualTo("kafka.sasl.mechanism");
    }

    @Test
    void docsListEveryKeyWithItsVariable() {
        String md = ConfigDocs.markdown(ExampleConfig.DEF);
        assertThat(md).contains("`example.batch.size`", "`MASKSTREAM_EXAMPLE_BATCH_SIZE`", "[1,...,512]");
    }
}
