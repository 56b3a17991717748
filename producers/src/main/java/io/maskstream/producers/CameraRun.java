package io.maskstream.producers;

import io.maskstream.datasets.Capture;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One camera from start to end: takes captures from its source and hands them to the sender, once per tick on the
 * shared scheduler (paced sources) or in a loop on a thread of its own (self-paced and unpaced ones). One thread
 * at a time touches the source and the sequence number, so a camera's frames are numbered in capture order; a
 * pacing camera that falls behind skips ticks rather than bursting. However it ends, it finishes exactly once:
 * its source closed and the active-camera count lowered.
 */
final class CameraRun {

    // the publisher's logger: operators configure and filter the producers' lines under that one name
    private static final Logger LOG = LoggerFactory.getLogger(CameraPublisher.class);

    private final CameraSource source;
    private final String id;
    private final long periodNanos;
    private final CameraMeters meters;
    private final FrameSender sender;
    private final AtomicInteger active;
    private volatile long sequence;
    private volatile boolean finished;
    private volatile String failure;
    private volatile boolean stopping;
    private volatile Thread thread;
    private ScheduledExecutorService scheduler;
    private long nextTick;
    private long missedTicks;

    CameraRun(CameraSource source, MeterRegistry registry, FrameSender sender, AtomicInteger active) {
        this.source = source;
        this.id = source.cameraId();
        double fps = source.fps();
        this.periodNanos = fps > 0 ? (long) (1e9 / fps) : 0;
        this.meters = new CameraMeters(registry, id);
        this.sender = sender;
        this.active = active;
    }

    String id() {
        return id;
    }

    CameraSource source() {
        return source;
    }

    CameraMeters meters() {
        return meters;
    }

    long periodNanos() {
        return periodNanos;
    }

    /** The sequence number of this camera's next frame: the number of frames numbered so far. */
    long sequence() {
        return sequence;
    }

    /** Frame {@code seq} has taken its number (it goes to Kafka or to the dead letters); the next gets seq + 1. */
    void numbered(long seq) {
        sequence = seq + 1;
    }

    boolean finished() {
        return finished;
    }

    boolean ownThread() {
        return source.selfPaced() || periodNanos == 0;
    }

    /** Runs this camera on a thread of its own, made by {@code threads}; returns that thread. */
    Thread start(ThreadFactory threads) {
        active.incrementAndGet();
        Thread t = threads.newThread(this::loop);
        thread = t;
        t.start();
        return t;
    }

    /** Runs this camera on the shared scheduler, its first tick {@code offsetNanos} from now. */
    void start(ScheduledExecutorService scheduler, long offsetNanos) {
        active.incrementAndGet();
        this.scheduler = scheduler;
        nextTick = System.nanoTime() + offsetNanos;
        scheduler.schedule(this::tick, offsetNanos, TimeUnit.NANOSECONDS);
    }

    /** No more captures: a scheduled camera takes no further tick, a looping one leaves its loop. */
    void stop() {
        stopping = true;
    }

    /** Wakes a self-paced camera's thread: ends a reconnect wait or a real-time pause (FFmpeg reads time out alone). */
    void interruptWait() {
        if (source.selfPaced() && thread != null) {
            thread.interrupt();
        }
    }

    private void loop() {
        try {
            while (!stopping) {
                Capture c = source.next();
                if (c == null) {
                    break;
                }
                sender.publish(this, c);
            }
            finish(null);
        } catch (InterruptedException e) {
            finish(null);
        } catch (Throwable e) {
            finish(stopping ? null : e); // while stopping, a closed producer or source is expected
        }
    }

    private void tick() {
        if (stopping || finished) {
            return;
        }
        try {
            Capture c = source.next();
            if (c == null) {
                finish(null);
                return;
            }
            sender.publish(this, c);
        } catch (InterruptedException e) {
            finish(null);
            return;
        } catch (Throwable e) {
            finish(stopping ? null : e);
            return;
        }
        long now = System.nanoTime();
        nextTick += periodNanos;
        if (now - nextTick > periodNanos) {
            // more than a tick behind (slow source or machine): skip the missed ticks rather than burst
            long missed = (now - nextTick) / periodNanos;
            long before = missedTicks;
            missedTicks += missed;
            long second = Math.max(5, (long) source.fps());
            if (before < second && missedTicks >= second) {
                // said once, when the camera has fallen about a second behind (not on a warm-up hiccup)
                LOG.warn("Camera {} cannot keep {} fps on this machine; skipping ticks (see "
                        + "maskstream.producer.ticks.skipped)", id, source.fps());
            }
            meters.ticksSkipped(missed);
            nextTick = now;
        }
        try {
            if (!stopping) {
                scheduler.schedule(this::tick, Math.max(0, nextTick - now), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Ends this camera (once): closes its source and, on an error, counts and logs the failure. */
    synchronized void finish(Throwable error) {
        if (finished) {
            return;
        }
        try {
            source.close();
        } catch (RuntimeException e) {
            LOG.warn("Camera {}: closing its source failed: {}", id, e.toString());
        }
        if (error != null) {
            failure = error.getClass().getSimpleName() + ": " + error.getMessage();
            meters.cameraFailed();
            LOG.error("Camera {} stopped after {} frames: {}", id, sequence, failure, error);
        } else if (!stopping) {
            LOG.info("Camera {} ended: {} frames published", id, sequence);
        }
        finished = true;
        active.decrementAndGet();
    }

    CameraStats stats() {
        return meters.stats(sequence, finished, failure);
    }
}
