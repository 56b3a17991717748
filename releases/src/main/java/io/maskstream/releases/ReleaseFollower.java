package io.maskstream.releases;

import io.maskstream.events.ModelRelease;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.maskstream.schemas.serde.SchemaRegistryException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code model-releases} on its own thread (no consumer group, so it never disturbs anyone) and calls
 * the listener, on that thread, each time the active release changes to a version not seen active before.
 *
 * <p>It keeps following whatever happens: a record it cannot read is skipped (logged), an unreachable schema registry
 * is waited for, and any other failure restarts it with a fresh consumer after a backoff (1 s doubling to 30 s), reading
 * the topic again from its start without calling the listener for what it already reported.
 */
public final class ReleaseFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFollower.class);
    private static final long BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final ServiceConfig config;
    private final Topic<String, ModelRelease> topic;
    private final Consumer<ModelRelease> onActive;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile Optional<ModelRelease> initialActive = Optional.empty();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, ModelRelease> consumer;
    private Thread thread;
    private String lastActive;

    public ReleaseFollower(ServiceConfig config, Consumer<ModelRelease> onActive) {
        this.config = config;
        this.topic = new Topics(config).modelReleases();
        this.onActive = onActive;
    }

    /**
     * Starts following, reads the topic up to its current end and returns the active release at that point
     * (without calling the listener for it: the caller loads it itself). Later changes go to the listener.
     */
    public Optional<ModelRelease> start(Duration timeout) throws InterruptedException {
        thread = new Thread(this::run, "model-release-follower");
        thread.setDaemon(true);
        thread.start();
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException("Could not read " + topic.name() + " within " + timeout);
        }
        return initialActive;
    }

    /** How often following restarted after a failure. */
    public int restarts() {
        return restarts.get();
    }

    private void run() {
        long backoff = BACKOFF_MS;
        while (running) {
            long started = System.currentTimeMillis();
            try {
                follow();
                return;
            } catch (WakeupException e) {
                return; // closing
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (System.currentTimeMillis() - started > 60_000) {
                    backoff = BACKOFF_MS;
                }
                restarts.incrementAndGet();
                LOG.error("Release follower failed ({}); following {} again in {} ms", e.toString(), topic.name(), backoff, e);
                if (!sleep(backoff)) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /** One consumer's life: reads the topic from its start and then follows it, until closed or a failure. */
    private void follow() {
        Map<String, ModelRelease> releases = new HashMap<>();
        try (KafkaConsumer<String, ModelRelease> c = ReleaseLog.consumer(config, topic)) {
            consumer = c;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = c.partitionsFor(topic.name(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            boolean initial = true;
            while (running) {
                ConsumerRecords<String, ModelRelease> records;
                try {
                    records = c.poll(Duration.ofMillis(500));
                } catch (RecordDeserializationException e) {
                    skipOrWait(c, e);
                    continue;
                }
                records.forEach(r -> ReleaseLog.apply(releases, r.key(), r.value()));
                if (initial) {
                    if (end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                        initial = false;
                        if (caughtUp.getCount() > 0) {
                            initialActive = ReleaseLog.active(releases.values());
                            lastActive = initialActive.map(ModelRelease::getVersion).orElse(null);
                            caughtUp.countDown();
                        } else {
                            report(releases); // caught up again after a restart: report what changed meanwhile
                        }
                    }
                    continue;
                }
                if (!records.isEmpty()) {
                    report(releases);
                }
            }
        } finally {
            consumer = null;
        }
    }

    private void report(Map<String, ModelRelease> releases) {
        Optional<ModelRelease> active = ReleaseLog.active(releases.values());
        if (active.isPresent() && !active.get().getVersion().equals(lastActive)) {
            lastActive = active.get().getVersion();
            try {
                onActive.accept(active.get());
            } catch (RuntimeException e) {
                LOG.error("Handling release {} failed", lastActive, e);
            }
        }
    }

    /** A record that cannot be read is skipped; when the registry is unreachable, the same record is tried again. */
    private void skipOrWait(KafkaConsumer<String, ModelRelease> c, RecordDeserializationException e) {
        if (e.getCause() instanceof SchemaRegistryException) {
            LOG.warn("Release follower cannot reach the schema registry ({}); retrying in {} ms", e.getCause().getMessage(),
                    BACKOFF_MS);
            c.seek(e.topicPartition(), e.offset());
            sleep(BACKOFF_MS);
            return;
        }
        LOG.error("Record {}@{} on {} is not a readable release and is skipped: {}", e.topicPartition(), e.offset(),
                topic.name(), e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        c.seek(e.topicPartition(), e.offset() + 1);
    }

    /** Waits {@code millis} unless closed meanwhile; false when closed. */
    private boolean sleep(long millis) {
        try {
            return !closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        closing.countDown();
        KafkaConsumer<String, ModelRelease> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
