package io.maskstream.alerts;

import io.maskstream.events.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import io.maskstream.schemas.ConsumerLoop;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link WebhookSink} from the alerts topic with its own consumer group, {@code read_committed}: only
 * alerts whose transaction committed are ever posted, and the stream never waits for the webhook. Offsets are
 * committed up to the oldest alert not yet delivered or counted, so after a restart nothing in flight is
 * skipped (delivery is at least once; receivers can deduplicate on {@code alertId}). When the sink's queue is full
 * the feed keeps what it read but could not hand over in a backlog (in order), pauses its partitions, and hands the
 * backlog over as the queue drains, reading on once the backlog is empty: a stalled webhook slows the feed down, it
 * never makes it skip an alert. A partition the group
 * has never committed starts at the first alert raised since this service started, not at the topic's
 * history.
 */
final class WebhookFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PAUSED_POLL = Duration.ofMillis(20);
    private static final long COMMIT_EVERY_MS = 1000;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Object> consumerProperties;
    private final String topic;
    private final Deserializer<Alert> valueDeserializer;
    private final WebhookSink sink;
    private final AlertsMetrics metrics;
    private final long startMillis;
    private final ConsumerLoop<String, Alert> loop;

    // Owned by the feed thread, except the sets, whose entries the sink's thread removes on completion.
    private final Map<TopicPartition, NavigableSet<Long>> outstanding = new HashMap<>();
    private final Map<TopicPartition, Long> lastSeen = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private long lastCommit;
    private boolean paused;
    /** Records read but not yet taken by the sink, oldest first (the sink's queue was full). */
    private final java.util.ArrayDeque<ConsumerRecord<String, Alert>> backlog = new java.util.ArrayDeque<>();

    /**
     * @param consumerProperties client settings (the user's, from the configuration); the group id and
     *                           read_committed are set here
     */
    WebhookFeed(Map<String, Object> consumerProperties, String groupId, String topic, Deserializer<Alert> valueDeserializer,
                WebhookSink sink, AlertsMetrics metrics, long startMillis) {
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        this.consumerProperties = props;
        this.topic = topic;
        this.valueDeserializer = valueDeserializer;
        this.sink = sink;
        this.metrics = metrics;
        this.startMillis = startMillis;
        this.loop = new ConsumerLoop<>("maskstream-alerts-webhook-feed",
                () -> new KafkaConsumer<>(this.consumerProperties, new StringDeserializer(), this.valueDeserializer), new Feed());
    }

    void start() {
        loop.start();
    }

    /** The feed's work on one consumer (see {@link ConsumerLoop}). */
    private final class Feed implements ConsumerLoop.Body<String, Alert> {
        @Override
        public void open(Consumer<String, Alert> c) {
            outstanding.clear();
            lastSeen.clear();
            committed.clear();
            backlog.clear();
            paused = false;
            c.subscribe(List.of(topic), new Rebalance(c));
            LOG.info("Webhook feed reading {} (group {}, read_committed)", topic,
                    consumerProperties.get(ConsumerConfig.GROUP_ID_CONFIG));
        }

        @Override
        public boolean beforePoll(Consumer<String, Alert> c) {
            drainBacklog(c);
            return true;
        }

        @Override
        public Duration pollTimeout() {
            // while paused, poll briefly (it keeps the membership alive): the queue drains in milliseconds once the
            // webhook answers
            return paused ? PAUSED_POLL : POLL;
        }

        @Override
        public void records(Consumer<String, Alert> c, ConsumerRecords<String, Alert> records) {
            records.forEach(backlog::addLast);
            drainBacklog(c);
            if (System.currentTimeMillis() - lastCommit >= COMMIT_EVERY_MS) {
                commit(c, c.assignment(), false);
            }
        }

        @Override
        public void unreadable(Consumer<String, Alert> c, RecordDeserializationException e) {
            metrics.webhookFailed();
            LOG.warn("Alert record {}@{} cannot be read and is not posted: {}", e.topicPartition(), e.offset(),
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            lastSeen.put(e.topicPartition(), e.offset());
            c.seek(e.topicPartition(), e.offset() + 1);
        }

        @Override
        public void close(Consumer<String, Alert> c) {
            commit(c, c.assignment(), true);
        }
    }

    /**
     * Hands the backlog to the sink in order until the sink is full; pauses every assigned partition while a
     * backlog remains (new ones included) and resumes when it is gone.
     */
    private void drainBacklog(Consumer<String, Alert> c) {
        while (!backlog.isEmpty() && hand(backlog.peekFirst())) {
            backlog.pollFirst();
        }
        if (!backlog.isEmpty()) {
            if (!paused) {
                paused = true;
                metrics.webhookPaused();
                LOG.warn("Webhook queue full ({} alerts): pausing {} until the webhook takes more; nothing is dropped",
                        sink.queued(), topic);
            }
            c.pause(c.assignment());
        } else if (paused) {
            paused = false;
            c.resume(c.paused());
            LOG.info("Webhook queue has room again: reading {} on", topic);
        }
    }

    /** Whether the sink took the record (a tombstone needs nothing). */
    private boolean hand(ConsumerRecord<String, Alert> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (r.value() != null) {
            NavigableSet<Long> pending = outstanding.computeIfAbsent(tp, t -> new ConcurrentSkipListSet<>());
            long offset = r.offset();
            pending.add(offset); // before the offer: the sink may complete it at once
            if (!sink.offer(r.value(), () -> pending.remove(offset))) {
                pending.remove(offset);
                return false;
            }
        }
        lastSeen.put(tp, r.offset());
        return true;
    }

    /** Commits, per partition, the oldest offset not yet done (or past the last seen record). */
    private void commit(Consumer<String, Alert> c, Collection<TopicPartition> partitions, boolean sync) {
        lastCommit = System.currentTimeMillis();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long last = lastSeen.get(tp);
            if (last == null) {
                continue;
            }
            NavigableSet<Long> pending = outstanding.get(tp);
            Long oldest = pending == null ? null : pending.ceiling(Long.MIN_VALUE);
            long next = oldest != null ? oldest : last + 1;
            if (!Long.valueOf(next).equals(committed.get(tp))) {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            if (sync) {
                try {
                    c.commitSync(offsets, CLIENT_TIMEOUT);
                } catch (WakeupException e) {
                    c.commitSync(offsets, CLIENT_TIMEOUT); // the wake-up was meant for poll()
                }
                offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
            } else {
                c.commitAsync(offsets, (done, error) -> {
                    if (error == null) {
                        done.forEach((tp, o) -> committed.put(tp, o.offset()));
                    } else {
                        LOG.debug("Webhook feed commit failed: {}", error.toString());
                    }
                });
            }
        } catch (KafkaException e) {
            LOG.warn("Webhook feed could not commit its position: {}", e.toString());
        }
    }

    private void forget(Collection<TopicPartition> partitions) {
        // not handed over, not committed: the partition's next owner reads them again
        backlog.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        for (TopicPartition tp : partitions) {
            outstanding.remove(tp);
            lastSeen.remove(tp);
            committed.remove(tp);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final Consumer<String, Alert> c;

        Rebalance(Consumer<String, Alert> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit(c, partitions, true);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> known = c.committed(new HashSet<>(partitions), CLIENT_TIMEOUT);
            Map<TopicPartition, Long> fresh = new HashMap<>();
            for (TopicPartition tp : partitions) {
                if (known.get(tp) == null) {
                    fresh.put(tp, startMillis);
                }
            }
            if (fresh.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(fresh, CLIENT_TIMEOUT);
            List<TopicPartition> toEnd = new ArrayList<>();
            for (TopicPartition tp : fresh.keySet()) {
                OffsetAndTimestamp at = found.get(tp);
                if (at == null) {
                    toEnd.add(tp);
                } else {
                    c.seek(tp, at.offset());
                }
            }
            if (!toEnd.isEmpty()) {
                c.seekToEnd(toEnd);
            }
            LOG.info("Webhook feed starts {} partition(s) of {} new to group at the first alert raised since start-up",
                    fresh.size(), topic);
        }
    }

    /** Stops reading and commits what is done; waits a few seconds at most. */
    @Override
    public void close() {
        loop.close();
    }
}
