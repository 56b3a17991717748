package io.maskstream.processor;

import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.PreparedImage;
import io.maskstream.schemas.serde.RecordDecodeException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step for every frame record: it either becomes an {@link AcceptedFrame} for the micro-batcher or a
 * dead letter with its reason; nothing else can happen to it, so a bad frame never stops the stream and
 * never disappears.
 */
final class FrameIntake implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(FrameIntake.class);
    static final Set<String> CONTENT_TYPES = Set.of("image/jpeg", "image/jpg", "image/png");

    private final Deserializer<Frame> frames;
    private final Preprocessing preprocessing;
    private final boolean detect;
    private final ProcessorMetrics metrics;
    private final CaptureClock clock;
    private ProcessorContext<Object, Object> context;

    /** Which preprocessor to use now: the current model's (its input size can change with a swap). */
    interface Preprocessing {
        ImagePreprocessor current();
    }

    /** A frame's image as the batcher needs it: prepared for the classifier, or decoded whole for the detector. */
    record Image(PreparedImage prepared, DecodedImage decoded) {

        static Image of(byte[] encoded, ImagePreprocessor preprocessor, boolean detect) throws ImageRejectedException {
            return detect ? new Image(null, preprocessor.decode(encoded)) : new Image(preprocessor.prepare(encoded), null);
        }
    }

    FrameIntake(Deserializer<Frame> frames, Preprocessing preprocessing, boolean detect, ProcessorMetrics metrics,
                CaptureClock clock) {
        this.frames = frames;
        this.detect = detect;
        this.preprocessing = preprocessing;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.frameIn();
        RecordMetadata source = context.recordMetadata().orElse(null);
        byte[] value = record.value();
        if (value == null) {
            reject(record, source, DeadLetterReason.NULL_VALUE, "Frame record has a null value (tombstone)", null, null);
            return;
        }
        Frame frame;
        try {
            frame = frames.deserialize(source == null ? "frames" : source.topic(), value);
        } catch (RecordDecodeException e) {
            reject(record, source, e.reason(), e.getMessage(), null, null);
            return;
        }
        String camera = frame.getCameraId();
        if (camera == null || camera.isBlank()) {
            reject(record, source, DeadLetterReason.INVALID_FIELD, "Frame has an empty cameraId", null, frame.getSequence());
            return;
        }
        String contentType = frame.getContentType() == null ? "" : frame.getContentType().trim().toLowerCase(java.util.Locale.ROOT);
        if (!CONTENT_TYPES.contains(contentType)) {
            reject(record, source, DeadLetterReason.UNSUPPORTED_CONTENT_TYPE, "Content type '" + frame.getContentType()
                    + "' is not one of " + CONTENT_TYPES, camera, frame.getSequence());
            return;
        }
        byte[] image = new byte[frame.getImage().remaining()];
        frame.getImage().duplicate().get(image);
        long start = System.nanoTime();
        Image prepared;
        try {
            prepared = Image.of(image, preprocessing.current(), detect);
        } catch (ImageRejectedException e) {
            reject(record, source, EventLabels.reason(e.reason()), e.getMessage(), camera, frame.getSequence());
            return;
        }
        metrics.decoded(System.nanoTime() - start);
        Long original = trustCaptureTime(frame, clock, context.currentSystemTimeMs());
        AcceptedFrame accepted = new AcceptedFrame(frame, record.key(), value, source == null ? "frames" : source.topic(),
                source == null ? -1 : source.partition(), source == null ? -1 : source.offset(), record.timestamp(), prepared.prepared(),
                prepared.decoded(), original);
        context.forward(new Record<>(camera, accepted, record.timestamp()), FrameTopology.BATCHER);
    }

    /**
     * Replaces a capture time the clock does not trust with {@code now}; returns the replaced time, or null when the
     * frame's own stands.
     */
    static Long trustCaptureTime(Frame frame, CaptureClock clock, long now) {
        long capture = frame.getCaptureTime().toEpochMilli();
        long trusted = clock.trusted(capture, now);
        if (trusted == capture) {
            return null;
        }
        clock.clampedCaptureTime(frame.getCameraId(), capture, now);
        frame.setCaptureTime(java.time.Instant.ofEpochMilli(trusted));
        return capture;
    }

    private void reject(Record<byte[], byte[]> record, RecordMetadata source, DeadLetterReason reason, String message,
                        String camera, Long sequence) {
        metrics.deadLetter(reason);
        String where = source == null ? "" : " (" + source.topic() + "-" + source.partition() + "@" + source.offset() + ")";
        LOG.warn("Dead-lettering frame{}: {} - {}", where, reason, message);
        DeadLetter letter = DeadLetters.of(source, record.timestamp(), record.key(), record.value(), reason, message,
                camera != null ? camera : keyText(record.key()), sequence);
        context.forward(new Record<>(record.key(), letter, record.timestamp()), FrameTopology.DEAD_LETTER_SINK);
    }

    private static String keyText(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }
}
