package io.maskstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.schemas.serde.AvroSerializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Events we write are read by Confluent's own Python client, schema fetched from the registry. */
class ConfluentPythonInteropIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void confluentPythonClientDecodesOurClassificationsAndFrames() throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("interop-classifications", 1, (short) 1),
                    new NewTopic("interop-frames", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> props = Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(),
                "key.serializer", StringSerializer.class.getName(),
                // by class name, as a user would configure it (or swap in Confluent's KafkaAvroSerializer)
                "value.serializer", AvroSerializer.class.getName());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>("interop-classifications", "cam-py", Events.classification("cam-py", i)));
                producer.send(new ProducerRecord<>("interop-frames", "cam-py", Events.frame("cam-py", i)));
            }
            producer.flush();
        }

        List<JsonNode> classifications = decodeWithPython(stack, "interop-classifications", 3);
        assertThat(classifications).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode v = classifications.get(i).get("value");
            Classification expected = Events.classification("cam-py", i);
            assertThat(classifications.get(i).get("key").asText()).isEqualTo("cam-py");
            assertThat(v.get("cameraId").asText()).isEqualTo("cam-py");
            assertThat(v.get("frameSequence").asLong()).isEqualTo(i);
            assertThat(v.get("captureTime").asLong()).isEqualTo(expected.getCaptureTime().toEpochMilli());
            assertThat(v.get("mask").get("label").asText()).isEqualTo("NONE");
            assertThat(v.get("mask").get("probabilities").get(2).asDouble()).isEqualTo(0.75);
            assertThat(v.get("age").get("label").asText()).isEqualTo("FROM_60");
            assertThat(v.get("classCode").asInt()).isEqualTo(17);
            assertThat(v.get("source").asText()).isEqualTo("img-" + i);
            JsonNode u = v.get("uncertainty");
            if (i % 2 == 0) {
                assertThat(u.isNull()).as("one pass: no uncertainty").isTrue();
            } else {
                assertThat(u.get("method").asText()).isEqualTo("mc-dropout");
                assertThat(u.get("passes").asInt()).isEqualTo(8);
                assertThat(u.get("maskSpread").asDouble()).isEqualTo(0.125);
                assertThat(u.get("genderSpread").asDouble()).isEqualTo(0.0625);
                assertThat(u.get("ageSpread").asDouble()).isEqualTo(0.25);
                assertThat(u.get("classSpread").asDouble()).isEqualTo(0.03125);
                assertThat(u.get("agreement").asDouble()).isEqualTo(0.75);
            }
        }
        List<JsonNode> frames = decodeWithPython(stack, "interop-frames", 3);
        Frame f = Events.frame("cam-py", 2);
        assertThat(frames.get(2).get("value").get("image").get("bytes").asInt()).isEqualTo(f.getImage().remaining());
        assertThat(frames.get(2).get("value").get("width").asInt()).isEqualTo(384);
    }

    private static List<JsonNode> decodeWithPython(EmbeddedStack stack, String topic, int expected) throws Exception {
        Path script = Path.of("src/test/python/decode_confluent.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), stack.bootstrapServers(),
                stack.registryUrl(), topic, String.valueOf(expected)).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python stderr: %s", err).isZero();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }
}
