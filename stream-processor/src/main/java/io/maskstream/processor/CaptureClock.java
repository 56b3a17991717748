package io.maskstream.processor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which frame times the processor trusts. A camera whose clock runs far ahead (or a producer that sets no time) must
 * not move stream time, nor carry a future time into the events: alerts would keep an episode open until that
 * future, and the broker refuses records more than {@code log.message.timestamp.after.max.ms} (1 hour by default)
 * ahead, which would fail the stream thread on every retry. A time more than {@code processor.max.capture.ahead.ms}
 * ahead of the processor's clock, or negative, is replaced by the processor's clock and counted; events say so in
 * {@code originalCaptureTime}.
 *
 * <p>As the source's {@link TimestampExtractor} it clamps record timestamps (so stream time and every record the
 * processor writes); {@link #trusted} does the same for the capture time inside the frame.
 */
final class CaptureClock implements TimestampExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureClock.class);
    private static final int MAX_WARNED_CAMERAS = 1000;

    private final long maxAheadMs;
    private final ProcessorMetrics metrics;
    private final Set<String> warned = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_WARNED_CAMERAS;
        }
    });

    CaptureClock(long maxAheadMs, ProcessorMetrics metrics) {
        this.maxAheadMs = maxAheadMs;
        this.metrics = metrics;
    }

    /** {@code time} when it is plausible at {@code now}, else {@code now}. */
    long trusted(long time, long now) {
        return time < 0 || time - now > maxAheadMs ? now : time;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long now = System.currentTimeMillis();
        long t = trusted(record.timestamp(), now);
        if (t != record.timestamp()) {
            metrics.timestampClamped("record_timestamp");
        }
        return t;
    }

    /** Counts a capture time replaced for {@code camera}, and says so once per camera in the log. */
    void clampedCaptureTime(String camera, long original, long now) {
        metrics.timestampClamped("capture_time");
        boolean first;
        synchronized (warned) {
            first = warned.add(camera);
        }
        if (first) {
            LOG.warn("Camera {} sends capture times {} ms off this processor's clock (ahead by more than {} ms, "
                    + "processor.max.capture.ahead.ms, or negative): its events carry the processor's clock as captureTime and the "
                    + "camera's as originalCaptureTime; check the camera's clock", camera, original - now, maxAheadMs);
        }
    }
}
