package io.maskstream.producers;

import io.maskstream.events.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one camera reports: its Micrometer meters, the counts behind its {@link CameraStats}, and its error lines.
 * A count and its meter move in the same call, so the stats a command prints and the metrics an operator scrapes
 * never disagree. Error lines are held to one every few seconds per camera, with a count of those held back, so a
 * camera failing every frame cannot flood the log.
 */
final class CameraMeters {

    // the publisher's logger: operators configure and filter the producers' lines under that one name
    private static final Logger LOG = LoggerFactory.getLogger(CameraPublisher.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final MeterRegistry registry;
    private final String cameraId;
    private final Counter bytes;
    private final Counter skipped;
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long lastErrorLog;
    private long suppressed;

    CameraMeters(MeterRegistry registry, String cameraId) {
        this.registry = registry;
        this.cameraId = cameraId;
        this.bytes = Counter.builder("maskstream.producer.bytes.sent")
                .description("Bytes of frame values handed to Kafka").tag("camera", cameraId).register(registry);
        this.skipped = Counter.builder("maskstream.producer.ticks.skipped")
                .description("Pacing ticks skipped because the camera could not keep its fps").tag("camera", cameraId)
                .register(registry);
    }

    /** The process's count of cameras still running; the caller removes it when the publisher closes. */
    static Gauge activeCameras(MeterRegistry registry, AtomicInteger active) {
        return Gauge.builder("maskstream.producer.cameras.active", active, AtomicInteger::get)
                .description("Cameras of this process still running").strongReference(true).register(registry);
    }

    /** A frame of this camera Kafka acknowledged on {@code topic}. */
    void acknowledged(String topic, int size) {
        acknowledged.incrementAndGet();
        sent(topic, size);
    }

    /** The unlabelled copy of a labelled frame, acknowledged: counted under its topic, not in the camera's stats. */
    void copyAcknowledged(String topic, int size) {
        sent(topic, size);
    }

    private void sent(String topic, int size) {
        sent.computeIfAbsent(topic, t -> Counter.builder("maskstream.producer.frames.sent")
                .description("Frames acknowledged by Kafka").tag("camera", cameraId).tag("topic", t)
                .register(registry)).increment();
        bytes.increment(size);
    }

    /** A frame refused for its size, before sending or by the broker. */
    void rejected(String reason) {
        rejected.incrementAndGet();
        rejections.computeIfAbsent(reason, r -> Counter.builder("maskstream.producer.frames.rejected")
                .description("Frames refused before or by Kafka (e.g. over the size limit)").tags("camera", cameraId,
                        "reason", r).register(registry)).increment();
    }

    /** A frame lost otherwise (serialization, send error): in the camera's stats and its send errors. */
    void failed(String kind) {
        failed.incrementAndGet();
        error(kind);
    }

    /** A send error that is not one of the camera's own frames (an unlabelled copy, a dead letter). */
    void error(String kind) {
        errors.computeIfAbsent(kind, k -> Counter.builder("maskstream.producer.send.errors")
                .description("Frames Kafka did not acknowledge").tags("camera", cameraId,
                        "error", k).register(registry)).increment();
    }

    void deadLettered() {
        Counter.builder("maskstream.producer.frames.dead.lettered")
                .description("Frames written to the dead-letter topic by the producer")
                .tags("camera", cameraId, "reason", DeadLetterReason.IMAGE_TOO_LARGE.name())
                .register(registry).increment();
    }

    void ticksSkipped(long ticks) {
        skipped.increment(ticks);
    }

    void cameraFailed() {
        Counter.builder("maskstream.producer.camera.failures")
                .description("Cameras that stopped on an error").tag("camera", cameraId).register(registry).increment();
    }

    /** Per-frame errors are logged, but at most one line per camera every few seconds (with a count). */
    synchronized void logError(String message) {
        long now = System.nanoTime();
        if (lastErrorLog == 0 || now - lastErrorLog >= ERROR_LOG_INTERVAL_NANOS) {
            LOG.error(suppressed > 0 ? message + " (" + suppressed + " similar errors not logged)" : message);
            lastErrorLog = now;
            suppressed = 0;
        } else {
            suppressed++;
        }
    }

    CameraStats stats(long published, boolean finished, String failure) {
        return new CameraStats(cameraId, published, acknowledged.get(), rejected.get(), failed.get(), finished,
                failure);
    }
}
