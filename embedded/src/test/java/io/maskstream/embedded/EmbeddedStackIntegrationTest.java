package io.maskstream.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStackIntegrationTest {

    @Test
    void startsRealBrokerAndRegistryAndLeavesNothingRunningOrBound(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = new EmbeddedStack(dir, "127.0.0.1", 0, 0, Map.of());
        stack.start();
        int kafkaPort = stack.kafka().port();
        int registryPort = stack.registry().port();
        long registryPid = stack.registry().serverPid().orElseThrow();
        try {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("stack-check", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("stack-check", "k", "v")).get(30, TimeUnit.SECONDS);
            }
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers(),
                    "group.id", "stack-check", "auto.offset.reset", "earliest"), new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of("stack-check"));
                ConsumerRecord<String, String> got = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (got == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        got = r;
                    }
                }
                assertThat(got).isNotNull();
                assertThat(got.value()).isEqualTo("v");
            }
            HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(stack.registryUrl() + "/subjects")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).isEqualTo(200);
        } finally {
            stack.close();
        }
        assertThat(ProcessHandle.of(registryPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Ports.isListening("127.0.0.1", kafkaPort)).isFalse();
        assertThat(Ports.isListening("127.0.0.1", registryPort)).isFalse();
    }

    @Test
    void brokerRestartsOnTheSamePortKeepingItsData(@TempDir Path dir) throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka("127.0.0.1", 0, dir.resolve("logs"), Map.of());
        kafka.start();
        try {
            int port = kafka.port();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            kafka.close();
            assertThat(Ports.isListening("127.0.0.1", port)).isFalse();
            kafka.start();
            assertThat(kafka.port()).isEqualTo(port);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
            }
        } finally {
            kafka.close();
        }
    }
}
