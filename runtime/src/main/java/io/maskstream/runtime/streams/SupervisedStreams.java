package io.maskstream.runtime.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams client that is started again, whole, when a stream thread fails: a new client's threads rejoin the
 * group under the same static member ids ({@link StreamsMembership}) and get their partitions back at once, where a
 * replacement thread (Kafka's {@code REPLACE_THREAD}) would join under a new id and wait for the failed thread's
 * session to expire. Work resumes from the last commit; under exactly-once nothing is lost or repeated.
 *
 * <p>Restarts back off (0 s, then 1 s doubling to 30 s while failures follow each other within a minute). A failure
 * {@code fatal} accepts, or a fenced instance id (another instance uses the same {@code instance.id}), stops the
 * client for good ({@link #state()} then stays {@code ERROR}, which readiness reports).
 */
public final class SupervisedStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SupervisedStreams.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final long STABLE_MS = 60_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final String name;
    private final Supplier<Topology> topology;
    private final Properties properties;
    private final StreamsMembership membership;
    private final MeterRegistry registry;
    private final Predicate<Throwable> fatal;
    private final Object lock = new Object();
    private KafkaStreams streams;
    private KafkaStreamsMetrics meters;
    private Thread restarter;
    private long startedAt;
    private long backoffMs;
    private int restarts;
    private volatile boolean closed;

    /**
     * @param fatal failures that must stop the client for good (e.g. a source topic that is gone)
     */
    public SupervisedStreams(String name, Supplier<Topology> topology, Properties properties, StreamsMembership membership,
                             MeterRegistry registry, Predicate<Throwable> fatal) {
        this.name = name;
        this.topology = topology;
        this.properties = properties;
        this.membership = membership;
        this.registry = registry;
        this.fatal = fatal;
    }

    /** Starts the first client. */
    public void start() {
        synchronized (lock) {
            launch();
        }
    }

    private void launch() {
        KafkaStreams s = new KafkaStreams(topology.get(), properties, membership.clientSupplier());
        s.setUncaughtExceptionHandler(this::onFailure);
        s.setStateListener((now, before) -> LOG.info("{}: Kafka Streams {} -> {}", name, before, now));
        if (registry != null) {
            meters = new KafkaStreamsMetrics(s);
            meters.bindTo(registry);
        }
        streams = s;
        startedAt = System.currentTimeMillis();
        s.start();
    }

    private StreamThreadExceptionResponse onFailure(Throwable e) {
        if (isFenced(e)) {
            LOG.error("{}: another instance joined the group with this instance's id ({}): stopping. Give each instance "
                    + "its own instance.id (or state directory)", name, membership.instanceId(), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (fatal.test(e)) {
            LOG.error("{}: stream thread failed; stopping: {}", name, e.toString(), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        synchronized (lock) {
            if (closed || restarter != null) {
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            long ranMs = System.currentTimeMillis() - startedAt;
            backoffMs = ranMs > STABLE_MS || restarts == 0 ? 0 : Math.min(MAX_BACKOFF_MS, Math.max(1000, backoffMs * 2));
            restarts++;
            LOG.error("{}: stream thread failed; restarting the Kafka Streams client in {} ms (its static members take "
                    + "their partitions back; work resumes from the last commit)", name, backoffMs, e);
            KafkaStreams failed = streams;
            long wait = backoffMs;
            restarter = new Thread(() -> restart(failed, wait), name + "-streams-restart");
            restarter.setDaemon(true);
            restarter.start();
        }
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    private static boolean isFenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FencedInstanceIdException) {
                return true;
            }
        }
        return false;
    }

    private void restart(KafkaStreams failed, long waitMs) {
        try {
            // Never from the stream thread itself: close() waits for it. The members stay in the group.
            failed.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
            Thread.sleep(waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            unbindMeters();
        }
        synchronized (lock) {
            restarter = null;
            if (closed) {
                return;
            }
            try {
                launch();
                LOG.info("{}: Kafka Streams client restarted (restart {})", name, restarts);
            } catch (RuntimeException e) {
                LOG.error("{}: cannot restart Kafka Streams: {}", name, e.toString(), e);
            }
        }
    }

    private void unbindMeters() {
        synchronized (lock) {
            if (meters != null) {
                meters.close();
                meters = null;
            }
        }
    }

    /** The current client's state; {@code NOT_RUNNING} before start and after close. */
    public KafkaStreams.State state() {
        synchronized (lock) {
            return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
        }
    }

    /** How often the client was restarted after a failure. */
    public int restarts() {
        synchronized (lock) {
            return restarts;
        }
    }

    /** Stops the client (leaving the group when so configured) and any restart in progress. */
    @Override
    public void close() {
        KafkaStreams s;
        Thread r;
        synchronized (lock) {
            closed = true;
            s = streams;
            streams = null;
            r = restarter;
        }
        if (r != null) {
            r.interrupt();
            try {
                r.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (s != null && !s.close(membership.closeOptions(CLOSE_TIMEOUT))) {
            LOG.warn("{}: Kafka Streams did not stop within {} s", name, CLOSE_TIMEOUT.toSeconds());
        }
        unbindMeters();
    }
}
