package io.maskstream.app.dashboard;

import io.maskstream.schemas.serde.SchemaRegistryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one topic for the dashboard on its own thread, with a group-less consumer ({@code assign}, never a
 * commit, so it takes nothing from any consumer group and leaves no trace) in {@code read_committed} mode,
 * so it shows only what the exactly-once services committed. Where it starts is {@link Start}. A topic that
 * does not exist yet is waited for; partitions added later are picked up. A record that cannot be decoded
 * is counted and skipped; a registry that cannot be reached is waited for.
 */
final class TopicFollower<V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    private static final long REFRESH_PARTITIONS_MS = 30_000;

    /** Where a follower starts in each partition: the end, the beginning, or up to {@code back} records before the end. */
    record Start(long back) {
        static final Start END = new Start(0);
        static final Start BEGINNING = new Start(Long.MAX_VALUE);

        static Start lastRecords(long n) {
            return new Start(n);
        }
    }

    private final String role;
    private final String topic;
    private final Map<String, Object> properties;
    private final Deserializer<V> deserializer;
    private final Start start;
    private final BiConsumer<ConsumerRecord<String, V>, Long> handler;
    private final DashboardState state;
    private final Runnable onRecord;
    private final Thread thread;
    private volatile boolean closed;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private volatile KafkaConsumer<String, V> consumer;

    /**
     * @param consumerProperties the user's client settings ({@code kafka.*} and the cluster); the isolation
     *                           level, auto-commit and client id are set here, and no group is joined
     * @param handler            called with each record and the time it was read
     */
    TopicFollower(String role, String topic, Map<String, Object> consumerProperties, Deserializer<V> deserializer,
                  Start start, BiConsumer<ConsumerRecord<String, V>, Long> handler, DashboardState state, Runnable onRecord) {
        this.role = role;
        this.topic = topic;
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, props.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, "maskstream-dashboard")
                + "-" + role);
        this.properties = props;
        this.deserializer = deserializer;
        this.start = start;
        this.handler = handler;
        this.state = state;
        this.onRecord = onRecord;
        this.thread = new Thread(this::run, "maskstream-dashboard-" + role);
        this.thread.setDaemon(true);
    }

    void start() {
        state.topic(role, topic, "starting");
        thread.start();
    }

    private void run() {
        KafkaConsumer<String, V> c = null;
        try {
            c = new KafkaConsumer<>(properties, new StringDeserializer(), deserializer);
            consumer = c;
            long lastRefresh = 0;
            boolean waitingLogged = false;
            while (!closed) {
                try {
                    if (System.currentTimeMillis() - lastRefresh >= REFRESH_PARTITIONS_MS || c.assignment().isEmpty()) {
                        lastRefresh = System.currentTimeMillis();
                        if (!assign(c)) {
                            if (!waitingLogged) {
                                LOG.warn("Dashboard: topic {} ({}) does not exist yet or the cluster cannot be reached; waiting",
                                        topic, role);
                                waitingLogged = true;
                            }
                            state.topic(role, topic, "waiting");
                            pause(2000);
                            lastRefresh = 0;
                            continue;
                        }
                        state.topic(role, topic, "following");
                    }
                    for (ConsumerRecord<String, V> r : c.poll(POLL)) {
                        onRecord.run();
                        handler.accept(r, System.currentTimeMillis());
                    }
                } catch (WakeupException e) {
                    // close() woke us up
                } catch (RecordDeserializationException e) {
                    if (e.getCause() instanceof SchemaRegistryException) {
                        LOG.warn("Dashboard cannot reach the schema registry for {} ({}); retrying in 2 s", topic,
                                e.getCause().getMessage());
                        pause(2000);
                    } else {
                        state.unreadable();
                        LOG.warn("Dashboard skips unreadable record {}@{}: {}", e.topicPartition(), e.offset(),
                                e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
                        c.seek(e.topicPartition(), e.offset() + 1);
                    }
                } catch (KafkaException e) {
                    if (!closed) {
                        LOG.warn("Dashboard follower of {}: {}; retrying in 2 s", topic, e.toString());
                        state.topic(role, topic, "retrying");
                        pause(2000);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Dashboard follower of {} stopped: {}", topic, e.toString(), e);
            state.topic(role, topic, "stopped");
        } finally {
            consumer = null;
            if (c != null) {
                try {
                    c.close(CloseOptions.timeout(CLIENT_TIMEOUT));
                } catch (RuntimeException e) {
                    LOG.debug("Dashboard consumer of {} did not close cleanly: {}", topic, e.toString());
                }
            }
        }
    }

    /** Assigns every partition of the topic, positioning new ones per {@link #start}; false if the topic is missing. */
    private boolean assign(KafkaConsumer<String, V> c) {
        List<PartitionInfo> infos;
        try {
            infos = c.partitionsFor(topic, CLIENT_TIMEOUT);
        } catch (org.apache.kafka.common.errors.TimeoutException
                 | org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            return false;
        }
        if (infos == null || infos.isEmpty()) {
            return false;
        }
        Set<TopicPartition> all = new HashSet<>();
        infos.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
        Set<TopicPartition> current = c.assignment();
        if (current.equals(all)) {
            return true;
        }
        List<TopicPartition> added = new ArrayList<>(all);
        added.removeAll(current);
        c.assign(all);
        if (start.equals(Start.BEGINNING) || !current.isEmpty()) {
            c.seekToBeginning(added); // partitions added while we follow hold only new records
        } else if (start.equals(Start.END)) {
            c.seekToEnd(added);
        } else {
            Map<TopicPartition, Long> ends = c.endOffsets(added, CLIENT_TIMEOUT);
            Map<TopicPartition, Long> begins = c.beginningOffsets(added, CLIENT_TIMEOUT);
            for (TopicPartition tp : added) {
                c.seek(tp, Math.max(begins.getOrDefault(tp, 0L), ends.getOrDefault(tp, 0L) - start.back()));
            }
        }
        LOG.info("Dashboard follows {} ({}): {} partition(s), starting {}", topic, role, all.size(),
                start.equals(Start.BEGINNING) ? "at the beginning" : start.equals(Start.END) ? "at the end"
                        : "up to " + start.back() + " records before the end");
        return true;
    }

    /** Waits, or less when the follower is closed meanwhile. */
    private void pause(long millis) {
        try {
            closing.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        closing.countDown(); // ends a pause()
        KafkaConsumer<String, V> c = consumer;
        if (c != null) {
            c.wakeup(); // ends a poll() (never interrupt: that would break the consumer's own close)
        }
        try {
            thread.join(CLIENT_TIMEOUT.toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
