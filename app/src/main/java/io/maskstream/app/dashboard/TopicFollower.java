package io.maskstream.app.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import io.maskstream.schemas.ConsumerLoop;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
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
    private final ConsumerLoop<String, V> loop;

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
        this.loop = new ConsumerLoop<>("maskstream-dashboard-" + role,
                () -> new KafkaConsumer<>(properties, new StringDeserializer(), this.deserializer), new Follow());
    }

    void start() {
        state.topic(role, topic, "starting");
        loop.start();
    }

    /** Keeps every partition of the topic assigned (waiting for the topic if need be) and hands on each record. */
    private final class Follow implements ConsumerLoop.Body<String, V> {
        private long lastRefresh;
        private boolean waitingLogged;

        @Override
        public void open(Consumer<String, V> c) {
            lastRefresh = 0;
        }

        @Override
        public boolean beforePoll(Consumer<String, V> c) {
            if (System.currentTimeMillis() - lastRefresh < REFRESH_PARTITIONS_MS && !c.assignment().isEmpty()) {
                return true;
            }
            lastRefresh = System.currentTimeMillis();
            if (assign(c)) {
                state.topic(role, topic, "following");
                return true;
            }
            if (!waitingLogged) {
                LOG.warn("Dashboard: topic {} ({}) does not exist yet or the cluster cannot be reached; waiting", topic, role);
                waitingLogged = true;
            }
            state.topic(role, topic, "waiting");
            lastRefresh = 0;
            loop.pause(2000);
            return false;
        }

        @Override
        public void records(Consumer<String, V> c, ConsumerRecords<String, V> records) {
            for (ConsumerRecord<String, V> r : records) {
                onRecord.run();
                handler.accept(r, System.currentTimeMillis());
            }
        }

        @Override
        public void unreadable(Consumer<String, V> c, RecordDeserializationException e) {
            state.unreadable();
            LOG.warn("Dashboard skips unreadable record {}@{}: {}", e.topicPartition(), e.offset(),
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            c.seek(e.topicPartition(), e.offset() + 1);
        }

        @Override
        public void failed(KafkaException e) {
            state.topic(role, topic, "retrying");
        }
    }

    /** Assigns every partition of the topic, positioning new ones per {@link #start}; false if the topic is missing. */
    private boolean assign(Consumer<String, V> c) {
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

    @Override
    public void close() {
        loop.close();
    }
}
