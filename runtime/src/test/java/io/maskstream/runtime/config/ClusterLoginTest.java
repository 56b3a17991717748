package io.maskstream.runtime.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The broker-free half of the start-up login check (a refused login is tested on a real broker in system-tests). */
class ClusterLoginTest {

    @Test
    void aPlaintextClusterIsNotCheckedAtAll() {
        // nothing listens on port 1: a check would fail or wait; a plaintext configuration returns at once
        assertThatCode(() -> ClusterLogin.check(new ClusterConfig(ConfigSource.of(Map.of("bootstrap.servers", "127.0.0.1:1")))))
                .doesNotThrowAnyException();
    }

    @Test
    void anUnreadableJaasConfigNamesTheKeyAndNotTheSecret() {
        ClusterConfig config = new ClusterConfig(ConfigSource.of(Map.of("bootstrap.servers", "127.0.0.1:1",
                "kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"svc\" password=\"s3cret-value\"")));
        assertThatThrownBy(() -> ClusterLogin.check(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.sasl.jaas.config").hasMessageNotContaining("s3cret-value");
    }
}
