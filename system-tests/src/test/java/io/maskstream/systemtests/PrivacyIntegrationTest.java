package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Alert;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraStats;
import io.maskstream.producers.Cameras;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privacy: no image bytes in any log line, alert or classification event. The schemas are checked by walking them
 * (Classification and Alert have no {@code bytes} field anywhere), and a whole run is checked as it happens: cameras
 * at full resolution, bad inputs that get logged as dead letters, the processor and the alerts service, with every
 * log line of the JVM captured at DEBUG for maskstream's own loggers, and every event's bytes read back.
 */
class PrivacyIntegrationTest {

    @Test
    void classificationAndAlertSchemasHaveNoBytesFieldAnywhere() {
        assertThat(ImageLeaks.binaryFields(Classification.getClassSchema())).isEmpty();
        assertThat(ImageLeaks.binaryFields(Alert.getClassSchema())).isEmpty();
        // the walk does find one where there is one
        assertThat(ImageLeaks.binaryFields(Frame.getClassSchema())).containsExactly("Frame.image (bytes)");
    }

    @Test
    void noImageBytesInAnyLogLineAlertOrClassificationEventOfARun(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "privacy", dir, 2,
                4); // a model that says NONE to most faces: alerts to inspect
        settings.put(ProducersConfig.FPS, "8");
        settings.put(ProducersConfig.SYNTHETIC_STRETCH_FRAMES, "5");
        Pipelines.alertOnEveryUnmaskedFrame(settings, "privacy-alerts", dir); // many alerts to inspect
        Pipelines.createTopics(settings);
        String frames = Pipelines.frames(settings);
        ProducersConfig producersConfig = Pipelines.producersConfig(settings);
        int perCamera = 60;

        List<String> lines;
        List<byte[]> alerts;
        List<byte[]> images;
        int frameCount;
        EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                Pipelines.classifications(settings), Pipelines.framesDlq(settings));
        try (LogCapture logs = new LogCapture()) {
            try (StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(settings),
                    new SimpleMeterRegistry());
                 AlertsService alertService = new AlertsService(new AlertsConfig(ConfigSource.of(settings)),
                         new SimpleMeterRegistry());
                 CameraPublisher cameras = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                         Cameras.synthetic(producersConfig, 3, 2, "cam-", perCamera))) {
                processor.start();
                alertService.start();
                cameras.start();
                sendBadInputs(stack, frames);
                assertThat(cameras.awaitCompletion(Duration.ofSeconds(120))).isTrue();
                long published = cameras.stats().stream().mapToLong(CameraStats::published).sum();
                ledger.settle((int) published + 3, Duration.ofSeconds(120), Duration.ofSeconds(3));
            }
            lines = logs.lines();
            images = frameImages(stack, frames);
            alerts = values(stack, settings.get(CommonConfig.TOPIC_ALERTS));
            frameCount = images.size();
        } finally {
            ledger.close();
        }

        List<String> leaks = ImageLeaks.suspiciousLines(lines, ImageLeaks.fingerprints(images));
        long alertsWithImageBytes = alerts.stream()
                .filter(a -> ImageLeaks.containsImageSignature(a) || ImageLeaks.containsChunkOf(a, images)).count();
        long eventsWithChunks = ledger.eventsWithImageBytes();
        int largestAlert = alerts.stream().mapToInt(a -> a.length).max().orElse(0);
        int smallestImage = images.stream().mapToInt(i -> i.length).min().orElse(0);
        FaultTable.record(new FaultTable.Row("P", "privacy: cameras + bad inputs + processor + alerts, all logs at DEBUG",
                frameCount, ledger.eventCount(), ledger.deadLetterCount(), 0, ledger.duplicated().size(), String.format(
                        "%d log lines, %d classification events (largest %d bytes) and %d alerts (largest %d bytes) "
                                + "scanned: %d with image bytes; smallest frame image %d bytes", lines.size(),
                        ledger.eventCount(), ledger.largestEventBytes(), alerts.size(), largestAlert,
                        leaks.size() + alertsWithImageBytes + eventsWithChunks, smallestImage)));

        assertThat(lines).as("the run was logged").hasSizeGreaterThan(20);
        assertThat(lines).as("dead letters were logged").anyMatch(l -> l.contains("Dead-lettering frame"));
        assertThat(leaks).as("log lines that look like image bytes").isEmpty();
        assertThat(ledger.eventCount()).isPositive();
        assertThat(eventsWithChunks).as("classification events holding image bytes").isZero();
        assertThat(ledger.largestEventBytes()).as("classification events are small").isLessThan(1024);
        assertThat(alerts).as("alerts were raised").isNotEmpty();
        assertThat(alertsWithImageBytes).as("alerts holding image bytes").isZero();
        assertThat(largestAlert).as("alerts are small").isLessThan(1024);
        assertThat(smallestImage).as("frames, for scale").isGreaterThan(5 * 1024);
    }

    /** A truncated JPEG, random image bytes and a non-Avro value: all logged when they are dead-lettered. */
    private static void sendBadInputs(EmbeddedStack stack, String frames) throws Exception {
        AvroSerializer<Frame> writer = new AvroSerializer<>();
        writer.configure(Map.of(CommonConfig.SCHEMA_REGISTRY_URL, stack.registryUrl()), false);
        byte[] jpeg = Pipelines.faces(1, 384, 512, 9).get(0);
        byte[] noise = new byte[8192];
        new Random(9).nextBytes(noise);
        try (KafkaProducer<String, byte[]> raw = Pipelines.rawProducer(stack.bootstrapServers())) {
            raw.send(new ProducerRecord<>(frames, "bad", writer.serialize(frames,
                    Pipelines.frame("bad", 0, Arrays.copyOf(jpeg, jpeg.length - 300))))).get();
            raw.send(new ProducerRecord<>(frames, "bad", writer.serialize(frames, Pipelines.frame("bad", 1, noise)))).get();
            byte[] notAvro = ("JFIF?" + new String(jpeg, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
            raw.send(new ProducerRecord<>(frames, "bad", notAvro)).get();
        }
    }

    /** The image bytes of every frame on the topic. */
    private static List<byte[]> frameImages(EmbeddedStack stack, String topic) {
        AvroDeserializer<Frame> reader = new AvroDeserializer<>(SchemaRegistryClient.shared(stack.registryUrl(), null),
                Frame.class);
        List<byte[]> out = new ArrayList<>();
        for (byte[] value : values(stack, topic)) {
            try {
                Frame f = reader.deserialize(topic, value);
                byte[] image = new byte[f.getImage().remaining()];
                f.getImage().duplicate().get(image);
                if (image.length > 1024) {
                    out.add(image);
                }
            } catch (RuntimeException e) {
                // one of the bad inputs
            }
        }
        return out;
    }

    /** Every record value of a topic, read_committed, from the beginning. */
    private static List<byte[]> values(EmbeddedStack stack, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", stack.bootstrapServers());
        props.put("isolation.level", "read_committed");
        props.put("max.partition.fetch.bytes", 16 * 1024 * 1024);
        List<byte[]> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }
}
