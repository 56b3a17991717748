package io.maskstream.model.release;

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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code model-releases} on its own thread (no consumer group, so it never disturbs anyone) and calls
 * the listener, on that thread, each time the active release changes to a version not seen active before.
 */
public final class ReleaseFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFollower.class);

    private final ServiceConfig config;
    private final Topic<String, ModelRelease> topic;
    private final Consumer<ModelRelease> onActive;
    private final Map<String, ModelRelease> releases = new HashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile Optional<ModelRelease> initialActive = Optional.empty();
    private volatile boolean running = true;
    private KafkaConsumer<String, ModelRelease> consumer;
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
        consumer = ReleaseLog.consumer(config, topic);
        thread = new Thread(this::run, "model-release-follower");
        thread.setDaemon(true);
        thread.start();
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Could not read " + topic.name() + " within " + timeout);
        }
        return initialActive;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            boolean initial = true;
            while (running) {
                var records = consumer.poll(Duration.ofMillis(500));
                records.forEach(r -> ReleaseLog.apply(releases, r.key(), r.value()));
                if (initial) {
                    if (end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                        initial = false;
                        initialActive = ReleaseLog.active(releases.values());
                        lastActive = initialActive.map(ModelRelease::getVersion).orElse(null);
                        caughtUp.countDown();
                    }
                    continue;
                }
                if (!records.isEmpty()) {
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
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Release follower stopped: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    /** Every known release (latest state per version). */
    public synchronized Map<String, ModelRelease> snapshot() {
        return new HashMap<>(releases);
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
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
