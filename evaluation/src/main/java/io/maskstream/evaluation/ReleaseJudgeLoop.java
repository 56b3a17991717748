package io.maskstream.evaluation;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.releases.ReleaseLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link ReleaseJudge} every {@code evaluation.judge.interval.ms} on its own thread: reads every release's
 * latest state from the compacted {@code model-releases} topic (from its start, read_committed), judges it against the
 * live figures, and publishes each verdict's status records, logging every change of serving version with its reason.
 *
 * <p>No promotion or rollback happens twice, across restarts too: each judgement starts from a fresh reading of the
 * topic, and a verdict exists only for a release still on trial there (the reading waits until the topic's end, which
 * includes the records a previous judgement published and waited for). Two judges running at once (two online
 * evaluation instances) may each publish the same transition; the second record repeats the first's status.
 * The thread only reads copies of the stream's figures: it never touches a store.
 */
final class ReleaseJudgeLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseJudgeLoop.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final EvaluationConfig config;
    private final ReleaseJudge judge;
    private final Supplier<LiveQuality> quality;
    private final Consumer<String> onVersion;
    private final Counter promotions;
    private final Counter rollbacks;
    private volatile String active;
    private volatile boolean closing;
    private ScheduledExecutorService executor;
    private ReleaseLog log;

    ReleaseJudgeLoop(EvaluationConfig config, ReleaseJudge judge, Supplier<LiveQuality> quality, Consumer<String> onVersion,
                     MeterRegistry registry) {
        this.config = config;
        this.judge = judge;
        this.quality = quality;
        this.onVersion = onVersion;
        this.promotions = Counter.builder("maskstream.evaluation.judge.promotions")
                .description("SHADOW releases the online evaluation promoted to ACTIVE after their shadow period").register(registry);
        this.rollbacks = Counter.builder("maskstream.evaluation.judge.rollbacks")
                .description("CANARY releases the online evaluation rolled back (RETIRED) for their live quality").register(registry);
    }

    void start() {
        log = new ReleaseLog(config);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "release-judge");
            t.setDaemon(true);
            return t;
        });
        long interval = config.getLong(EvaluationConfig.JUDGE_INTERVAL_MS);
        executor.scheduleWithFixedDelay(this::judgeOnce, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** The version last read as ACTIVE. */
    Optional<String> activeVersion() {
        return Optional.ofNullable(active);
    }

    /** One judgement: read, judge, publish. Failures are logged and retried at the next interval. */
    void judgeOnce() {
        try {
            Map<String, ModelRelease> releases = log.readAll(READ_TIMEOUT);
            active = ReleaseLog.active(releases.values()).map(ModelRelease::getVersion).orElse(null);
            releases.values().stream().filter(r -> r.getStatus() == ReleaseStatus.ACTIVE || r.getStatus() == ReleaseStatus.SHADOW
                    || r.getStatus() == ReleaseStatus.CANARY).forEach(r -> onVersion.accept(r.getVersion()));
            List<ReleaseJudge.Verdict> verdicts = judge.judge(releases, quality.get());
            for (ReleaseJudge.Verdict v : verdicts) {
                log.publish(v.records().toArray(ModelRelease[]::new));
                if (v.action() == ReleaseJudge.Action.PROMOTE) {
                    promotions.increment();
                    active = v.version();
                    LOG.info("Serving version change: {} is ACTIVE, {} RETIRED: {}", v.version(),
                            v.records().size() > 1 ? v.records().get(0).getVersion() : "(none)", v.notes());
                } else {
                    rollbacks.increment();
                    LOG.warn("Serving version change: canary {} RETIRED, its cameras go back to {}: {}", v.version(), active,
                            v.notes());
                }
            }
        } catch (RuntimeException e) {
            if (closing) {
                return; // interrupted by close()
            }
            LOG.warn("Release judgement failed (retried in {} ms): {}", config.getLong(EvaluationConfig.JUDGE_INTERVAL_MS),
                    e.toString());
        }
    }

    @Override
    public void close() {
        closing = true;
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
    }
}
