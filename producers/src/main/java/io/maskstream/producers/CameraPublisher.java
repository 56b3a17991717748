package io.maskstream.producers;

import io.maskstream.runtime.Service;
import io.maskstream.schemas.Topics;
import io.maskstream.runtime.config.ClusterLogin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs many cameras in one process and publishes their captures with one idempotent producer. Each camera is
 * paced at its own fps on a shared scheduler (self-paced and unpaced sources get a thread of their own), and
 * its frames carry the capture time and a sequence number that starts at 0 and grows by one per frame handed to
 * Kafka; one thread at a time serves a camera and the producer keeps per-partition order, so a camera's frames
 * land in sequence order. Frames are keyed by camera id; labelled captures go to labeled-frames keyed by person id.
 *
 * <p>A frame over {@code topic.frames.max.message.bytes} is refused before sending (or by the broker, if the
 * topic's own limit is lower): a logged error and a {@code maskstream.producer.frames.rejected} count for that
 * frame, never the end of the camera. It does not disappear either: it keeps its sequence number and a
 * {@code DeadLetter} (reason {@code IMAGE_TOO_LARGE}, camera id and sequence, no image bytes, partition and offset
 * -1) goes to the target topic's dead-letter topic, so every sequence number of a camera ends up as a frame or
 * a dead letter. A camera whose source fails ends alone; the others go on.
 *
 * <p>This class starts and stops the parts: {@link Preflight} checks topics and schemas, a {@link CameraRun} per
 * camera paces it, the {@link FrameSender} sends, and {@link CameraMeters} counts. {@link #close()} stops them in
 * that order of dependence (cameras first, then the sender) within {@code producers.shutdown.timeout.ms}.
 */
public final class CameraPublisher implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(CameraPublisher.class);

    private final ProducersConfig config;
    private final MeterRegistry registry;
    private final Topics topics;
    private final FrameSender sender;
    private final List<CameraRun> runs = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private Gauge activeGauge;
    private boolean started;
    private boolean closed;

    public CameraPublisher(ProducersConfig config, MeterRegistry registry, List<? extends CameraSource> cameras) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.topics = new Topics(config);
        this.sender = new FrameSender(config, topics);
        Set<String> ids = new HashSet<>();
        for (CameraSource c : cameras) {
            if (!ids.add(c.cameraId())) {
                throw new IllegalArgumentException("Two cameras have the id '" + c.cameraId() + "'; camera ids must be "
                        + "unique (each numbers its own frames)");
            }
            runs.add(new CameraRun(c, registry, sender, active));
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("No cameras to publish");
        }
    }

    @Override
    public String name() {
        return "producers";
    }

    @Override
    public synchronized void start() throws Exception {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        ClusterLogin.check(config); // wrong credentials: one clear error
        Set<String> targets = sender.targets(runs.stream().map(CameraRun::source).toList());
        Preflight preflight = new Preflight(config, topics, targets);
        Map<String, String> deadLetterTopics = preflight.deadLetterTopics();
        sender.open(deadLetterTopics, daemon("dead-letter-sender"));
        preflight.registerSchemas(sender, deadLetterTopics);
        activeGauge = CameraMeters.activeCameras(registry, active);
        int scheduled = (int) runs.stream().filter(r -> !r.ownThread()).count();
        if (scheduled > 0) {
            ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(
                    Math.min(scheduled, Math.max(2, Runtime.getRuntime().availableProcessors())), daemon("camera-scheduler"));
            pool.setRemoveOnCancelPolicy(true);
            pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a stop does not wait for the next tick
            scheduler = pool;
        }
        int index = 0;
        for (CameraRun run : runs) {
            if (run.ownThread()) {
                threads.add(run.start(daemon("camera-" + run.id())));
            } else {
                // stagger first frames across one period so cameras do not all fire at once
                run.start(scheduler, run.periodNanos() * index++ / Math.max(1, scheduled));
            }
        }
        LOG.info("Publishing {} camera(s) {} to {} (frame limit {} bytes)", runs.size(),
                runs.stream().map(r -> r.id() + "@" + (r.source().selfPaced() ? "own pace"
                        : r.source().fps() > 0 ? r.source().fps() + "fps" : "max")).toList(),
                targets, sender.maxFrameBytes());
    }

    /**
     * Waits until every camera has ended and Kafka has acknowledged (or refused) every frame sent.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (runs.stream().allMatch(CameraRun::finished)) {
                if (sender.inFlight() > 0 && !closed()) {
                    sender.flush();
                }
                if (sender.inFlight() == 0) {
                    return true;
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    private synchronized boolean closed() {
        return closed;
    }

    /** Every camera's counts so far. */
    public List<CameraStats> stats() {
        return runs.stream().map(CameraRun::stats).toList();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        runs.forEach(CameraRun::stop);
        long timeoutMs = config.getLong(ProducersConfig.SHUTDOWN_TIMEOUT_MS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                    scheduler.shutdownNow();
                }
            } catch (InterruptedException e) {
                scheduler.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        runs.forEach(CameraRun::interruptWait);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("{} did not stop within {} ms (its source is still blocked); leaving it", t.getName(), timeoutMs);
            }
        }
        for (CameraRun run : runs) {
            if (!run.ownThread()) {
                run.finish(null); // the scheduler has stopped: nobody else touches the source now
            }
        }
        sender.close(deadline);
        if (activeGauge != null) {
            registry.remove(activeGauge);
        }
        long published = runs.stream().mapToLong(CameraRun::sequence).sum();
        LOG.info("Producers stopped: {} frames published by {} camera(s)", published, runs.size());
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name.startsWith("camera-scheduler") ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }
}
