package io.maskstream.evaluation;

import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a {@link TopicRange} of any recorded topic with its own consumer (assigned partitions, a unique group id,
 * {@code read_committed}, nothing committed): live consumer groups never see it, and aborted transactions' records
 * are never read. The one range reader: {@link LabeledReplay} and the trainer's pseudo-labels read through it.
 */
public final class TopicReplay<K, V> {

    private final ServiceConfig config;
    private final Topic<K, V> topic;

    public TopicReplay(ServiceConfig config, Topic<K, V> topic) {
        this.config = config;
        this.topic = topic;
    }

    public String topicName() {
        return topic.name();
    }

    /** Partition → [from, to) resolved against the topic now. */
    public Map<Integer, long[]> resolve(TopicRange range) {
        try (KafkaConsumer<K, V> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException("Topic " + topic.name() + " does not exist");
            }
            // offsets are looked up for assigned partitions: kafka-clients 4.0-4.3 warn once per partition and
            // lookup otherwise ("no longer assigned", KAFKA-20131)
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndTimestamp> fromTimes = range.fromTime() == null ? Map.of()
                    : consumer.offsetsForTimes(timestamps(partitions, range.fromTime().toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> toTimes = range.toTime() == null ? Map.of()
                    : consumer.offsetsForTimes(timestamps(partitions, range.toTime().toEpochMilli()));
            Map<Integer, long[]> resolved = new TreeMap<>();
            for (TopicPartition tp : partitions) {
                long from = begin.get(tp);
                if (range.fromOffsets().containsKey(tp.partition())) {
                    from = range.fromOffsets().get(tp.partition());
                } else if (range.defaultFrom() != null) {
                    from = range.defaultFrom();
                } else if (range.fromTime() != null) {
                    OffsetAndTimestamp o = fromTimes.get(tp);
                    from = o == null ? end.get(tp) : o.offset();
                }
                long to = end.get(tp);
                if (range.toOffsets().containsKey(tp.partition())) {
                    to = range.toOffsets().get(tp.partition());
                } else if (range.defaultTo() != null) {
                    to = range.defaultTo();
                } else if (range.toTime() != null) {
                    OffsetAndTimestamp o = toTimes.get(tp);
                    to = o == null ? end.get(tp) : o.offset();
                }
                from = Math.max(from, begin.get(tp));
                to = Math.min(to, end.get(tp));
                resolved.put(tp.partition(), new long[] {from, Math.max(from, to)});
            }
            return resolved;
        }
    }

    private static Map<TopicPartition, Long> timestamps(List<TopicPartition> partitions, long ts) {
        Map<TopicPartition, Long> m = new HashMap<>();
        partitions.forEach(p -> m.put(p, ts));
        return m;
    }

    /**
     * Hands every record of the resolved range with a non-null value to {@code sink}, each partition in offset order
     * (partitions interleaved); ends when every partition reached its end, or after {@code timeout}.
     */
    public void read(Map<Integer, long[]> resolved, Duration timeout, Consumer<ConsumerRecord<K, V>> sink) {
        Map<TopicPartition, Long> until = new HashMap<>();
        resolved.forEach((partition, range) -> {
            if (range[0] < range[1]) {
                until.put(new TopicPartition(topic.name(), partition), range[1]);
            }
        });
        if (until.isEmpty()) {
            return;
        }
        try (KafkaConsumer<K, V> consumer = consumer()) {
            // every partition at once (re-assigning partition by partition drops fetches in flight)
            consumer.assign(until.keySet());
            until.keySet().forEach(tp -> consumer.seek(tp, resolved.get(tp.partition())[0]));
            Set<TopicPartition> pending = new HashSet<>(until.keySet());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!pending.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out replaying " + pending);
                }
                for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < until.get(new TopicPartition(r.topic(), r.partition())) && r.value() != null) {
                        sink.accept(r);
                    }
                }
                for (Iterator<TopicPartition> it = pending.iterator(); it.hasNext(); ) {
                    TopicPartition tp = it.next();
                    if (consumer.position(tp) >= until.get(tp)) {
                        consumer.pause(List.of(tp));
                        it.remove();
                    }
                }
            }
        }
    }

    private KafkaConsumer<K, V> consumer() {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "maskstream-replay-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        return new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }
}
