package io.maskstream.producers;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.Frames;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.events.LabeledFrame;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Hands the cameras' frames to the one producer: serializes each, refuses one over the frame limit before sending,
 * sends it (and, for a labelled photo, its unlabelled copy when asked) and accounts for Kafka's answer in the
 * camera's meters. A frame that gets a sequence number ends as an acknowledged frame, a dead letter on the
 * target's dead-letter topic (when it exists) or a counted error; {@link #inFlight()} counts every send (frame,
 * copy or dead letter) Kafka has not answered yet, so the publisher knows when everything is done.
 */
final class FrameSender {

    private final ProducersConfig config;
    private final Topics topics;
    private final int maxFrameBytes;
    private final String framesTopic;
    /** {@link ProducersConfig#LABELED_ALSO_FRAMES}: labelled photos go to the frames topic too. */
    private final boolean labeledAlsoFrames;
    private final String labeledTopic;
    private final AtomicLong inFlight = new AtomicLong();
    /** Target topic -> its dead-letter topic, for the targets whose dead-letter topic exists. */
    private Map<String, String> deadLetterTopics = Map.of();
    private Producer<String, byte[]> producer;
    private Serializer<Frame> frameSerializer;
    private Serializer<LabeledFrame> labeledSerializer;
    private Serializer<DeadLetter> deadLetterSerializer;
    /** Sends the dead letters of frames the broker refused: never from the producer's own I/O thread. */
    private ExecutorService deadLetterSender;

    FrameSender(ProducersConfig config, Topics topics) {
        this.config = config;
        this.topics = topics;
        this.maxFrameBytes = topics.maxFrameBytes();
        this.framesTopic = topics.frames().name();
        this.labeledAlsoFrames = config.getBoolean(ProducersConfig.LABELED_ALSO_FRAMES);
        this.labeledTopic = topics.labeledFrames().name();
    }

    int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The topics the frames of these cameras go to, in camera order. */
    Set<String> targets(Collection<CameraSource> cameras) {
        Set<String> t = new LinkedHashSet<>();
        cameras.forEach(c -> {
            t.add(c.labeled() ? labeledTopic : framesTopic);
            if (c.labeled() && labeledAlsoFrames) {
                t.add(framesTopic);
            }
        });
        return t;
    }

    /** Creates the producer and serializers; {@code deadLetterTopics}: each target -> its existing dead-letter topic. */
    void open(Map<String, String> deadLetterTopics, ThreadFactory deadLetterThreads) {
        this.deadLetterTopics = Map.copyOf(deadLetterTopics);
        producer = new KafkaProducer<>(ProducerSettings.of(config, maxFrameBytes));
        frameSerializer = topics.frames().valueSerde().serializer();
        labeledSerializer = topics.labeledFrames().valueSerde().serializer();
        deadLetterSerializer = topics.deadLetters(framesTopic).valueSerde().serializer();
        deadLetterSender = Executors.newSingleThreadExecutor(deadLetterThreads);
    }

    /** The value of a capture's record on {@code topic}: a {@code LabeledFrame} when it carries ground truth. */
    byte[] frameValue(String topic, String cameraId, long seq, Capture c) {
        return c.labeled() ? labeledSerializer.serialize(topic, Frames.labeledFrame(cameraId, seq, c))
                : frameSerializer.serialize(topic, Frames.frame(cameraId, seq, c));
    }

    byte[] deadLetterValue(String deadLetters, DeadLetter letter) {
        return deadLetterSerializer.serialize(deadLetters, letter);
    }

    /** The dead letter of a frame refused for its size: who and which frame, why, and no image bytes. */
    static DeadLetter tooLarge(String topic, String key, String cameraId, long sequence, Capture c, String message) {
        return DeadLetter.newBuilder()
                .setOriginalTopic(topic)
                .setOriginalPartition(-1)
                .setOriginalOffset(-1)
                .setOriginalTimestamp(c.captureTime())
                .setOriginalKey(ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(null) // a cut image could neither be decoded nor replayed; the message says what it was
                .setReason(DeadLetterReason.IMAGE_TOO_LARGE)
                .setMessage(message)
                .setService("producers")
                .setFailedTime(Instant.now())
                .setCameraId(cameraId)
                .setFrameSequence(sequence)
                .build();
    }

    /** Sends one capture of {@code camera} under its next sequence number; called by the camera's one thread. */
    void publish(CameraRun camera, Capture c) {
        String id = camera.id();
        CameraMeters meters = camera.meters();
        boolean labeled = c.labeled();
        String topic = labeled ? labeledTopic : framesTopic;
        String key = labeled ? c.labelKey() : id;
        long seq = camera.sequence();
        byte[] value;
        try {
            value = frameValue(topic, id, seq, c);
        } catch (RuntimeException e) {
            meters.failed("serialization");
            meters.logError("Camera " + id + ": cannot serialize a frame for " + topic + ": " + e.getMessage());
            return;
        }
        int size = value.length + key.getBytes(StandardCharsets.UTF_8).length;
        camera.numbered(seq);
        if (size > maxFrameBytes) {
            meters.rejected("too_large");
            String message = "Frame " + seq + " of camera " + id + " refused, not sent to " + topic + ": " + size
                    + " bytes is over the limit of " + maxFrameBytes + " (" + CommonConfig.TOPIC_FRAMES_MAX_BYTES + ")"
                    + dimensions(c) + describe(c) + "; lower the resolution or JPEG quality, or raise the limit";
            meters.logError("Camera " + id + ": " + message);
            deadLetter(id, meters, topic, key, seq, c, message);
            return;
        }
        inFlight.incrementAndGet();
        try {
            producer.send(new ProducerRecord<>(topic, null, c.captureTime().toEpochMilli(), key, value),
                    (metadata, exception) -> acknowledged(id, meters, topic, seq, size, c, exception));
        } catch (KafkaException | IllegalStateException e) { // IllegalStateException: closed while stopping
            inFlight.decrementAndGet();
            meters.failed(e.getClass().getSimpleName());
            meters.logError("Camera " + id + ": frame " + seq + " could not be sent: " + e.getMessage());
            return;
        }
        if (labeled && labeledAlsoFrames) {
            publishUnlabeledCopy(id, meters, seq, c);
        }
    }

    /**
     * The frame of a labelled photo, without its label, to the frames topic under this camera's id and the same
     * sequence number, so the live processor's event for it can be joined with the label. Its outcome is
     * counted under the frames topic ({@code maskstream.producer.frames.sent}, send errors); the camera's
     * own counts stay those of the labelled frames.
     */
    private void publishUnlabeledCopy(String id, CameraMeters meters, long seq, Capture c) {
        byte[] value;
        try {
            value = frameSerializer.serialize(framesTopic, Frames.frame(id, seq, c));
        } catch (RuntimeException e) {
            meters.error("serialization");
            meters.logError("Camera " + id + ": cannot serialize the unlabelled copy of frame " + seq + ": "
                    + e.getMessage());
            return;
        }
        int size = value.length + id.length();
        inFlight.incrementAndGet();
        try {
            producer.send(new ProducerRecord<>(framesTopic, null, c.captureTime().toEpochMilli(), id, value),
                    (metadata, exception) -> {
                        try {
                            if (exception == null) {
                                meters.copyAcknowledged(framesTopic, size);
                            } else {
                                meters.error(exception.getClass().getSimpleName());
                                meters.logError("Camera " + id + ": the unlabelled copy of frame " + seq + " was not "
                                        + "delivered to " + framesTopic + ": " + exception);
                            }
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    });
        } catch (KafkaException | IllegalStateException e) {
            inFlight.decrementAndGet();
            meters.error(e.getClass().getSimpleName());
            meters.logError("Camera " + id + ": the unlabelled copy of frame " + seq + " could not be sent: "
                    + e.getMessage());
        }
    }

    private void acknowledged(String id, CameraMeters meters, String topic, long seq, int size, Capture c,
                              Exception exception) {
        try {
            if (exception == null) {
                meters.acknowledged(topic, size);
            } else if (exception instanceof RecordTooLargeException) {
                meters.rejected("broker_too_large");
                String message = "Frame " + seq + " of camera " + id + " (" + size + " bytes" + dimensions(c)
                        + ") refused by Kafka as too large for topic " + topic + describe(c) + ": "
                        + exception.getMessage();
                meters.logError("Camera " + id + ": " + message);
                String key = c.labeled() ? c.labelKey() : id;
                inFlight.incrementAndGet(); // before this frame's own count drops, so completion waits for it
                try {
                    deadLetterSender.execute(() -> {
                        try {
                            deadLetter(id, meters, topic, key, seq, c, message);
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    inFlight.decrementAndGet();
                    meters.logError("Camera " + id + ": frame " + seq
                            + " refused by Kafka; stopping, so no dead letter");
                }
            } else {
                meters.failed(exception.getClass().getSimpleName());
                meters.logError("Camera " + id + ": frame " + seq + " was not delivered to " + topic + ": "
                        + exception);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static String describe(Capture c) {
        return c.source() == null ? "" : " (source " + c.source() + ")";
    }

    private static String dimensions(Capture c) {
        return c.width() > 0 && c.height() > 0 ? ", " + c.width() + "x" + c.height() + " px" : "";
    }

    /**
     * Writes the dead letter of a frame refused for its size to the target's dead-letter topic (when it exists),
     * so the frame's sequence number is accounted for downstream. A failure here is logged and counted.
     */
    private void deadLetter(String id, CameraMeters meters, String topic, String key, long seq, Capture c,
                            String message) {
        String deadLetters = deadLetterTopics.get(topic);
        if (deadLetters == null) {
            return;
        }
        byte[] value;
        try {
            value = deadLetterValue(deadLetters, tooLarge(topic, key, id, seq, c, message));
        } catch (RuntimeException e) {
            meters.error("dead_letter_serialization");
            meters.logError("Camera " + id + ": cannot serialize the dead letter of frame " + seq + ": "
                    + e.getMessage());
            return;
        }
        inFlight.incrementAndGet();
        try {
            producer.send(new ProducerRecord<>(deadLetters, null, c.captureTime().toEpochMilli(), key, value),
                    (metadata, exception) -> {
                        try {
                            if (exception == null) {
                                meters.deadLettered();
                            } else {
                                meters.error("dead_letter_" + exception.getClass().getSimpleName());
                                meters.logError("Camera " + id + ": the dead letter of frame " + seq
                                        + " was not delivered to " + deadLetters + ": " + exception);
                            }
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    });
        } catch (KafkaException | IllegalStateException e) {
            inFlight.decrementAndGet();
            meters.error("dead_letter_" + e.getClass().getSimpleName());
            meters.logError("Camera " + id + ": the dead letter of frame " + seq + " could not be sent: "
                    + e.getMessage());
        }
    }

    /** Sends, frames, copies and dead letters Kafka has not answered yet. */
    long inFlight() {
        return inFlight.get();
    }

    /** Pushes out what the producer holds; a no-op before {@link #open} or once closed. */
    void flush() {
        if (producer == null) {
            return;
        }
        try {
            producer.flush();
        } catch (RuntimeException e) {
            // closed meanwhile: in-flight callbacks complete on close
        }
    }

    /**
     * Sends the dead letters already handed over, then closes the producer and serializers, all by
     * {@code deadlineNanos} ({@link System#nanoTime()}). Called once the cameras have stopped.
     */
    void close(long deadlineNanos) {
        LongSupplier remainingMs =
                () -> TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (deadLetterSender != null) {
            deadLetterSender.shutdown(); // dead letters already handed over are still sent
            try {
                deadLetterSender.awaitTermination(Math.max(1, remainingMs.getAsLong()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofMillis(Math.max(0, remainingMs.getAsLong())));
        }
        if (frameSerializer != null) {
            frameSerializer.close();
            labeledSerializer.close();
            deadLetterSerializer.close();
        }
    }
}
