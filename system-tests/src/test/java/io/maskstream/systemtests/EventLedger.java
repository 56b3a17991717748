package io.maskstream.systemtests;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What came out of a pipeline, as a read_committed consumer sees it: every classification and every dead letter,
 * counted per frame ({@code cameraId/sequence}), so a test can name the frames lost (no outcome) and duplicated
 * (more than one outcome, events and dead letters together). It reads the raw record values too, to check that no
 * event carries image bytes and that events stay small.
 */
final class EventLedger implements AutoCloseable {

    private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    private final List<Classification> events = new CopyOnWriteArrayList<>();
    /** When (this machine's clock, ms) each event of {@link #events} was read, in the same order. */
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final AtomicLong largestEventBytes = new AtomicLong();
    private final AtomicInteger eventsWithImageBytes = new AtomicInteger();
    private final String classifications;
    private final String deadLetterTopic;
    private final Thread reader;
    private volatile boolean stop;
    private volatile Throwable failure;

    /** Starts reading {@code classificationsTopic} and {@code deadLetterTopic} from the beginning. */
    EventLedger(String bootstrap, String registryUrl, String classificationsTopic, String deadLetterTopic) {
        this.classifications = classificationsTopic;
        this.deadLetterTopic = deadLetterTopic;
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("max.partition.fetch.bytes", 16 * 1024 * 1024);
        SchemaRegistryClient registry = SchemaRegistryClient.shared(registryUrl, null);
        AvroDeserializer<Classification> eventReader = new AvroDeserializer<>(registry, Classification.class);
        AvroDeserializer<DeadLetter> letterReader = new AvroDeserializer<>(registry, DeadLetter.class);
        reader = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                // Assigned, not subscribed: no group, so no rebalance (a broker restart causes one) can send the
                // ledger back to the earliest offset and make it count events twice.
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : List.of(classificationsTopic, deadLetterTopic)) {
                    consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (!stop) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(classificationsTopic)) {
                            Classification c = eventReader.deserialize(r.topic(), r.value());
                            largestEventBytes.accumulateAndGet(r.value().length, Math::max);
                            if (ImageLeaks.containsImageSignature(r.value())) {
                                eventsWithImageBytes.incrementAndGet();
                            }
                            events.add(c);
                            arrivals.add(System.currentTimeMillis());
                            count(c.getCameraId() + "/" + c.getFrameSequence());
                        } else {
                            DeadLetter d = letterReader.deserialize(r.topic(), r.value());
                            deadLetters.add(d);
                            count(d.getCameraId() != null && d.getFrameSequence() != null
                                    ? d.getCameraId() + "/" + d.getFrameSequence()
                                    : "offset:" + d.getOriginalPartition() + "@" + d.getOriginalOffset());
                        }
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }, "event-ledger");
        reader.setDaemon(true);
        reader.start();
    }

    private void count(String frame) {
        outcomes.computeIfAbsent(frame, k -> new AtomicInteger()).incrementAndGet();
    }

    /** Frames with at least one outcome so far. */
    int framesSeen() {
        return outcomes.size();
    }

    int eventCount() {
        return events.size();
    }

    int deadLetterCount() {
        return deadLetters.size();
    }

    List<Classification> events() {
        return events;
    }

    List<DeadLetter> deadLetters() {
        return deadLetters;
    }

    long largestEventBytes() {
        return largestEventBytes.get();
    }

    int eventsWithImageBytes() {
        return eventsWithImageBytes.get();
    }

    /**
     * Waits for the first event a processor emitted at or after {@code sinceMs} (its processedTime) and returns when
     * this ledger read it (epoch ms), or -1 on timeout.
     */
    long awaitEventEmittedSince(long sinceMs, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int from = 0;
        while (System.nanoTime() < deadline) {
            checkAlive();
            int n = Math.min(events.size(), arrivals.size());
            for (int i = from; i < n; i++) {
                if (events.get(i).getProcessedTime().toEpochMilli() >= sinceMs) {
                    return arrivals.get(i);
                }
            }
            from = n;
            Thread.sleep(20);
        }
        return -1;
    }

    /** Waits until at least {@code frames} frames have an outcome; false on timeout. */
    boolean awaitFrames(int frames, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outcomes.size() < frames && System.nanoTime() < deadline) {
            checkAlive();
            Thread.sleep(100);
        }
        return outcomes.size() >= frames;
    }

    /** Waits until {@code frames} have an outcome, then {@code quiet} longer for late duplicates. */
    void settle(int frames, Duration timeout, Duration quiet) throws InterruptedException {
        awaitFrames(frames, timeout);
        Thread.sleep(quiet.toMillis());
    }

    private void checkAlive() {
        if (failure != null) {
            throw new IllegalStateException("the ledger's consumer failed: " + failure, failure);
        }
    }

    /** Frames of {@code expected} with no outcome. */
    Set<String> lost(Collection<String> expected) {
        Set<String> lost = new TreeSet<>();
        for (String id : expected) {
            if (!outcomes.containsKey(id)) {
                lost.add(id);
            }
        }
        return lost;
    }

    /** Frames with more than one outcome. */
    Set<String> duplicated() {
        Set<String> dup = new TreeSet<>();
        outcomes.forEach((id, n) -> {
            if (n.get() > 1) {
                dup.add(id);
            }
        });
        return dup;
    }

    /** Outcomes for frames not in {@code expected} (none should exist). */
    List<String> unexpected(Collection<String> expected) {
        Set<String> known = new java.util.HashSet<>(expected);
        List<String> out = new ArrayList<>();
        outcomes.keySet().forEach(id -> {
            if (!known.contains(id)) {
                out.add(id);
            }
        });
        return out;
    }

    /**
     * Asserts exactly-once for a stream with no bad input: every frame of {@code sent} has exactly one event, no
     * event is for another frame, and nothing was dead-lettered.
     */
    void assertEveryFrameClassifiedOnce(Collection<String> sent) {
        org.assertj.core.api.Assertions.assertThat(lost(sent)).as("frames with no event").isEmpty();
        org.assertj.core.api.Assertions.assertThat(duplicated()).as("frames with more than one event").isEmpty();
        org.assertj.core.api.Assertions.assertThat(unexpected(sent)).as("events for frames never sent").isEmpty();
        org.assertj.core.api.Assertions.assertThat(eventCount()).isEqualTo(sent.size());
        org.assertj.core.api.Assertions.assertThat(deadLetterCount()).isZero();
    }

    @Override
    public void close() {
        stop = true;
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkAlive();
    }

    @Override
    public String toString() {
        return "ledger of " + classifications + " + " + deadLetterTopic + ": " + events.size() + " events, "
                + deadLetters.size() + " dead letters, " + outcomes.size() + " frames";
    }
}
