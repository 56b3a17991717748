package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** Processor settings that only make sense together are refused at start-up, naming the key. */
class ProcessorConfigTest {

    static Properties streams(Map<String, String> settings) {
        return FrameTopology.streamsProperties(new ProcessorConfig(ConfigSource.of(settings)));
    }

    @Test
    void anInferenceTimeoutThatCouldOutliveTheTransactionStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> streams(Map.of(ProcessorConfig.INFERENCE_TIMEOUT_MS, "6000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProcessorConfig.INFERENCE_TIMEOUT_MS)
                .hasMessageContaining("10000");
        assertThat(streams(Map.of(ProcessorConfig.INFERENCE_TIMEOUT_MS, "6000",
                "kafka.streams.producer.transaction.timeout.ms", "20000"))).isNotNull();
    }

    @Test
    void eachInstanceIsAStaticMemberUnlessToldOtherwiseAndTheUsersOwnIdWins() {
        Properties defaults = streams(Map.of(ProcessorConfig.STATE_DIR, "/tmp/a"));
        Object id = defaults.get(StreamsConfig.consumerPrefix("group.instance.id"));
        assertThat(id).as("derived from the host and the state directory").isNotNull();
        assertThat(streams(Map.of(ProcessorConfig.STATE_DIR, "/tmp/a")).get(StreamsConfig.consumerPrefix("group.instance.id")))
                .as("stable").isEqualTo(id);
        assertThat(streams(Map.of(ProcessorConfig.STATE_DIR, "/tmp/b")).get(StreamsConfig.consumerPrefix("group.instance.id")))
                .as("another instance on this host").isNotEqualTo(id);
        assertThat(streams(Map.of("processor.instance.id", "none")).get(StreamsConfig.consumerPrefix("group.instance.id")))
                .isNull();
        assertThat(defaults.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        assertThatThrownBy(() -> streams(Map.of("processor.instance.id", "has spaces")))
                .hasMessageContaining("processor.instance.id");
    }

    @Test
    void aTrustedKeyFileThatIsNoPublicKeyStopsStartUpNamingTheKeyAndTheFile(@org.junit.jupiter.api.io.TempDir
                                                                            java.nio.file.Path dir) throws Exception {
        java.nio.file.Path good = dir.resolve("keys");
        io.maskstream.releases.ReleaseSignatures.writeKeyPair(io.maskstream.releases.ReleaseSignatures.generateKeyPair(), good);
        String pub = good.resolve(io.maskstream.releases.ReleaseSignatures.PUBLIC_KEY_FILE).toString();
        String priv = good.resolve(io.maskstream.releases.ReleaseSignatures.PRIVATE_KEY_FILE).toString();
        assertThat(new ProcessorConfig(ConfigSource.of(Map.of(ProcessorConfig.TRUSTED_KEYS, pub))).trustedKeys().keyIds())
                .hasSize(1);
        assertThatThrownBy(() -> new ProcessorConfig(ConfigSource.of(Map.of(ProcessorConfig.TRUSTED_KEYS, pub + "," + priv))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProcessorConfig.TRUSTED_KEYS)
                .hasMessageContaining(priv);
        assertThat(new ProcessorConfig(ConfigSource.of(Map.of())).trustedKeys().isEmpty()).isTrue();
    }
}
