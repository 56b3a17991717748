package io.maskstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Classification;
import io.maskstream.runtime.config.ClusterConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same topic creation and serde round trip as the embedded tests, against the broker and registry images
 * that docker-compose.yml runs. Skipped (with the reason in the test report) where there is no Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeImagesIntegrationTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.4.0");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>("apicurio/apicurio-registry-mem:2.6.13.Final")
            .withExposedPorts(8080).waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200));

    @Test
    void topicsAndAvroRoundTripWorkOnTheComposeImages() throws Exception {
        String url = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080) + "/apis/ccompat/v7";
        ClusterConfig config = new ClusterConfig(ConfigSource.of(Map.of("bootstrap.servers", KAFKA.getBootstrapServers(),
                "schema.registry.url", url)));
        TopicAdmin.ensure(config);
        AvroSerializer<Classification> ser = new AvroSerializer<>();
        ser.configure(Map.of("schema.registry.url", url), false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", KAFKA.getBootstrapServers()),
                new StringSerializer(), ser)) {
            producer.send(new ProducerRecord<>("classifications", "cam-c", Events.classification("cam-c", 1))).get();
        }
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", KAFKA.getBootstrapServers(),
                "group.id", UUID.randomUUID().toString(), "auto.offset.reset", "earliest"), new StringDeserializer(),
                new AvroDeserializer<>(SchemaRegistryClient.shared(url, null), Classification.class))) {
            consumer.subscribe(List.of("classifications"));
            Classification got = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got == null && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    got = r.value();
                }
            }
            assertThat(got).isEqualTo(Events.classification("cam-c", 1));
        }
    }
}
