package io.maskstream.releases;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseSignature;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.ConsumerLoop;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code model-releases} on its own thread (no consumer group, so it never disturbs anyone) and calls
 * the listener, on that thread, each time the active release changes to a version not seen active before, or the
 * active release's signature changes (re-signed with {@code release sign}, so a release refused for its signature is
 * loaded once it is signed).
 *
 * <p>A second, optional listener is told the <em>trial</em> releases (status SHADOW or CANARY) each time that set
 * changes (a version joins or leaves it, or one of them gets a new status record), the first time once the topic has
 * been read to its end: processors serve them beside the active one.
 *
 * <p>It keeps following whatever happens ({@link ConsumerLoop}): a record it cannot read is skipped (logged), an
 * unreachable schema registry is waited for, and a failure restarts it with a fresh consumer, which reads the topic
 * again from its start without calling the listener for what it already reported.
 */
public final class ReleaseFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFollower.class);

    private final ServiceConfig config;
    private final Topic<String, ModelRelease> topic;
    private final Consumer<ModelRelease> onActive;
    private final Consumer<List<ModelRelease>> onTrials;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile Optional<ModelRelease> initialActive = Optional.empty();
    private ConsumerLoop<String, ModelRelease> loop;
    private String lastActive;
    private ReleaseSignature lastSignature;
    private List<ModelRelease> lastTrials;

    public ReleaseFollower(ServiceConfig config, Consumer<ModelRelease> onActive) {
        this(config, onActive, trials -> { });
    }

    /**
     * @param onTrials told every SHADOW and CANARY release (oldest status change first) each time that set changes,
     *                 on the follower's thread
     */
    public ReleaseFollower(ServiceConfig config, Consumer<ModelRelease> onActive, Consumer<List<ModelRelease>> onTrials) {
        this.config = config;
        this.topic = new Topics(config).modelReleases();
        this.onActive = onActive;
        this.onTrials = onTrials;
    }

    /**
     * Starts following, reads the topic up to its current end and returns the active release at that point
     * (without calling the listener for it: the caller loads it itself). Later changes go to the listener.
     */
    public Optional<ModelRelease> start(Duration timeout) throws InterruptedException {
        loop = new ConsumerLoop<>("model-release-follower", () -> ReleaseLog.consumer(config, topic), new Follow()).start();
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException("Could not read " + topic.name() + " within " + timeout);
        }
        return initialActive;
    }

    /** One consumer's view: every version's latest state, read from the start of the topic. */
    private final class Follow implements ConsumerLoop.Body<String, ModelRelease> {
        private final Map<String, ModelRelease> releases = new HashMap<>();
        private Map<TopicPartition, Long> end;
        private boolean initial;

        @Override
        public void open(org.apache.kafka.clients.consumer.Consumer<String, ModelRelease> c) {
            releases.clear();
            List<TopicPartition> partitions = c.partitionsFor(topic.name(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            end = c.endOffsets(partitions);
            initial = true;
        }

        @Override
        public void records(org.apache.kafka.clients.consumer.Consumer<String, ModelRelease> c,
                            ConsumerRecords<String, ModelRelease> records) {
            records.forEach(r -> ReleaseLog.apply(releases, r.key(), r.value()));
            if (initial) {
                if (end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    initial = false;
                    if (caughtUp.getCount() > 0) {
                        initialActive = ReleaseLog.active(releases.values());
                        lastActive = initialActive.map(ModelRelease::getVersion).orElse(null);
                        lastSignature = initialActive.map(ModelRelease::getSignature).orElse(null);
                        caughtUp.countDown();
                        reportTrials();
                    } else {
                        report(); // caught up again after a restart: report what changed meanwhile
                    }
                }
                return;
            }
            if (!records.isEmpty()) {
                report();
            }
        }

        private void reportTrials() {
            List<ModelRelease> trials = ReleaseLog.trials(releases.values());
            if (trials.equals(lastTrials)) {
                return;
            }
            lastTrials = trials;
            try {
                onTrials.accept(trials);
            } catch (RuntimeException e) {
                LOG.error("Handling the shadow and canary releases {} failed", trials.stream().map(ModelRelease::getVersion)
                        .toList(), e);
            }
        }

        private void report() {
            reportTrials();
            Optional<ModelRelease> active = ReleaseLog.active(releases.values());
            if (active.isPresent() && (!active.get().getVersion().equals(lastActive)
                    || !Objects.equals(active.get().getSignature(), lastSignature))) {
                lastActive = active.get().getVersion();
                lastSignature = active.get().getSignature();
                try {
                    onActive.accept(active.get());
                } catch (RuntimeException e) {
                    LOG.error("Handling release {} failed", lastActive, e);
                }
            }
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
