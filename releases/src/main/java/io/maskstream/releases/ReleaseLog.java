package io.maskstream.releases;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The compacted {@code model-releases} topic: one record per version holding its latest state. At most one
 * release is ACTIVE; when several claim it (a promotion in flight), the newest status change wins.
 */
public final class ReleaseLog {

    private final ServiceConfig config;
    private final Topic<String, ModelRelease> topic;

    public ReleaseLog(ServiceConfig config) {
        this.config = config;
        this.topic = new Topics(config).modelReleases();
    }

    public String topicName() {
        return topic.name();
    }

    /** Writes releases (keyed by version) and waits until the broker has them. */
    public void publish(ModelRelease... releases) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER));
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(props, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            for (ModelRelease r : releases) {
                producer.send(new ProducerRecord<>(topic.name(), r.getVersion(), r)).get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot publish to " + topic.name() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Every version's latest state, read from the start of the topic to its current end. */
    public Map<String, ModelRelease> readAll(Duration timeout) {
        Map<String, ModelRelease> releases = new LinkedHashMap<>();
        try (KafkaConsumer<String, ModelRelease> consumer = consumer(config, topic)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out reading " + topic.name());
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> apply(releases, r.key(), r.value()));
            }
        }
        return releases;
    }

    static void apply(Map<String, ModelRelease> releases, String key, ModelRelease value) {
        if (value == null) {
            releases.remove(key);
        } else {
            releases.put(value.getVersion(), value);
        }
    }

    static KafkaConsumer<String, ModelRelease> consumer(ServiceConfig config, Topic<String, ModelRelease> topic) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "maskstream-release-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    /** The active release: the ACTIVE one with the newest status time. */
    public static Optional<ModelRelease> active(Collection<ModelRelease> releases) {
        return releases.stream().filter(r -> r.getStatus() == ReleaseStatus.ACTIVE)
                .max(Comparator.comparing(ModelRelease::getStatusTime));
    }

    /** The SHADOW and CANARY releases, oldest status change first (the order processors pick them in). */
    public static List<ModelRelease> trials(Collection<ModelRelease> releases) {
        return releases.stream().filter(r -> r.getStatus() == ReleaseStatus.SHADOW || r.getStatus() == ReleaseStatus.CANARY)
                .sorted(Comparator.comparing(ModelRelease::getStatusTime).thenComparing(ModelRelease::getVersion)).toList();
    }

    /** A copy of {@code release} with a new status (and status time now). */
    public static ModelRelease withStatus(ModelRelease release, ReleaseStatus status, String notes) {
        return ModelRelease.newBuilder(release).setStatus(status).setStatusTime(Instant.now())
                .setNotes(notes == null ? release.getNotes() : notes).build();
    }
}
