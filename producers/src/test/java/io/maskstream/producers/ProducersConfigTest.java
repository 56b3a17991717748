package io.maskstream.producers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProducersConfigTest {

    @Test
    void defaultsParseAndTheKeysArePublishedToTheSharedCatalogue() {
        ProducersConfig c = new ProducersConfig(ConfigSource.empty());
        assertThat(c.getDouble(ProducersConfig.FPS)).isEqualTo(5.0);
        assertThat(c.getInt(ProducersConfig.JPEG_QUALITY)).isEqualTo(85);
        assertThat(c.syntheticOptions().width()).isEqualTo(384);
        assertThat(c.scenario(false).noneShare()).isZero();
        assertThat(c.scenario(true).noneShare()).isEqualTo(0.6);
        assertThat(ServiceConfig.knownKeys()).contains(ProducersConfig.FPS, ProducersConfig.RECONNECT_BACKOFF_MAX_MS,
                ProducersConfig.DATASET_FAIL_FAST);
    }

    @Test
    void invalidValuesAndUnknownKeysNameTheKey() {
        assertThatThrownBy(() -> new ProducersConfig(ConfigSource.of(Map.of(ProducersConfig.JPEG_QUALITY, "101"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProducersConfig.JPEG_QUALITY);
        assertThatThrownBy(() -> new ProducersConfig(ConfigSource.of(Map.of("producers.fsp", "5"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("producers.fsp")
                .hasMessageContaining("Did you mean 'producers.fps'");
        assertThatThrownBy(() -> new ProducersConfig(ConfigSource.of(Map.of(ProducersConfig.RTSP_TRANSPORT, "http"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProducersConfig.RTSP_TRANSPORT);
    }

    @Test
    void theProducerSuitsFiftyKilobyteFramesUnlessTheUserSaysOtherwise() {
        ProducersConfig c = new ProducersConfig(ConfigSource.of(Map.of("kafka.producer.linger.ms", "50",
                "kafka.security.protocol", "PLAINTEXT", "schema.registry.url", "http://127.0.0.1:1/apis/ccompat/v7")));
        Map<String, Object> p = ProducerSettings.of(c, 4 * 1024 * 1024);
        assertThat(p).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "50")
                .containsEntry("security.protocol", "PLAINTEXT")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")
                .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1024 * 1024))
                .containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024 + 128 * 1024))
                .doesNotContainKey("schema.registry.url");
        // a batch must fit the topic's limit, which the broker applies to whole batches
        Map<String, Object> small = ProducerSettings.of(new ProducersConfig(ConfigSource.empty()), 65536);
        assertThat(small).containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        Map<String, Object> own = ProducerSettings.of(new ProducersConfig(ConfigSource.of(Map.of(
                "kafka.producer.batch.size", "2000000", "kafka.producer.compression.type", "lz4"))), 65536);
        assertThat(own).containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, "2000000")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    }
}
