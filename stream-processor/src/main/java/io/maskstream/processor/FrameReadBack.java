package io.maskstream.processor;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads frames back from the frames topic by offset, for a task restoring the frames it had consumed but not
 * classified before a crash ({@link BufferedFrame} keeps only their offsets). A consumer of its own, assigned to the
 * one partition (no group), {@code read_committed} like the stream thread, with the user's {@code kafka.*} and
 * {@code kafka.consumer.*} settings, so a secured cluster works the same way.
 */
final class FrameReadBack {

    private static final Logger LOG = LoggerFactory.getLogger(FrameReadBack.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private FrameReadBack() {
    }

    /**
     * The records at {@code offsets} (key, value, record timestamp); offsets the topic no longer holds are missing.
     *
     * @throws IllegalStateException when they cannot all be read within a minute
     */
    static Map<Long, BufferedFrame> read(ServiceConfig config, String topic, int partition, SortedSet<Long> offsets) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER));
        props.remove(CommonConfig.SCHEMA_REGISTRY_URL);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, FrameTopology.maxRecordBytes(config));
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "maskstream-frame-read-back-" + topic + "-" + partition);
        TopicPartition tp = new TopicPartition(topic, partition);
        long started = System.nanoTime();
        Map<Long, BufferedFrame> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            long first = offsets.first();
            long last = offsets.last();
            long begin = consumer.beginningOffsets(List.of(tp), TIMEOUT).get(tp);
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            consumer.seek(tp, Math.max(first, begin));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) <= last && consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read offsets " + first + ".." + last + " of " + tp
                            + " back within " + TIMEOUT.toSeconds() + " s (read " + out.size() + " of " + offsets.size() + ")");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (offsets.contains(r.offset())) {
                        out.put(r.offset(), new BufferedFrame(r.key(), r.value(), r.timestamp()));
                    }
                }
            }
        }
        LOG.info("Read {} of {} buffered frames back from {} (offsets {}..{}) in {} ms", out.size(), offsets.size(), tp,
                offsets.first(), offsets.last(), (System.nanoTime() - started) / 1_000_000);
        return out;
    }
}
