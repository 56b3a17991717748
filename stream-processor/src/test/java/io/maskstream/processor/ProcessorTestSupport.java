package io.maskstream.processor;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.Frame;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Real-broker plumbing shared by the processor's integration tests. */
final class ProcessorTestSupport {

    private ProcessorTestSupport() {
    }

    /** Settings for a processor on its own topics (prefix) against the shared test stack. */
    static Map<String, String> settings(String prefix, Path dir, int partitions) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Path bundle = dir.resolve("model.bundle");
        ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-" + prefix, 11).write(bundle);
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", stack.bootstrapServers());
        s.put("schema.registry.url", stack.registryUrl());
        for (String t : List.of("frames", "labeled.frames", "classifications", "classifications.shadow", "alerts", "model.releases", "model.artifacts")) {
            s.put("topic." + t, prefix + "-" + t.replace('.', '-'));
        }
        s.put("topic.partitions", String.valueOf(partitions));
        s.put(ProcessorConfig.APPLICATION_ID, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        s.put(ProcessorConfig.MODEL_PATH, bundle.toString());
        s.put(ProcessorConfig.STATE_DIR, dir.resolve("state").toString());
        return s;
    }

    static void createTopics(Map<String, String> settings) throws InterruptedException {
        TopicAdmin.ensure(new ProcessorConfig(ConfigSource.of(settings)));
    }

    static KafkaProducer<String, Frame> frameProducer(Map<String, String> settings) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", settings.get("bootstrap.servers"));
        props.put("schema.registry.url", settings.get("schema.registry.url"));
        props.put("enable.idempotence", true);
        props.put("acks", "all");
        props.put("linger.ms", 5);
        props.put("batch.size", 1 << 20);
        return new KafkaProducer<>(props, new StringSerializer(), serializer(settings));
    }

    private static AvroSerializer<Frame> serializer(Map<String, String> settings) {
        AvroSerializer<Frame> s = new AvroSerializer<>();
        s.configure(Map.of("schema.registry.url", settings.get("schema.registry.url")), false);
        return s;
    }

    static KafkaConsumer<String, Classification> classificationConsumer(Map<String, String> settings) {
        return consumer(settings, Classification.class);
    }

    static KafkaConsumer<String, DeadLetter> deadLetterConsumer(Map<String, String> settings) {
        return consumer(settings, DeadLetter.class);
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> KafkaConsumer<String, V> consumer(
            Map<String, String> settings, Class<V> type) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", settings.get("bootstrap.servers"));
        props.put("group.id", "verify-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        return new KafkaConsumer<>(props, new StringDeserializer(), new AvroDeserializer<>(
                SchemaRegistryClient.shared(settings.get("schema.registry.url"), null), type));
    }

    /** Polls until {@code count} records arrived or the timeout passed; returns what arrived. */
    static <V> List<ConsumerRecord<String, V>> poll(KafkaConsumer<String, V> consumer, String topic, int count,
                                                    Duration timeout) {
        consumer.subscribe(List.of(topic));
        List<ConsumerRecord<String, V>> got = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        return got;
    }

    /** Waits until the processor's Kafka Streams client runs with its partitions assigned. */
    static void awaitRunning(StreamProcessorService service) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (service.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (service.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            throw new IllegalStateException("processor not running after 60 s: " + service.state());
        }
    }
}
