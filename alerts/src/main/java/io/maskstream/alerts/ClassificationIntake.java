package io.maskstream.alerts;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.schemas.serde.RecordDecodeException;
import io.maskstream.schemas.serde.SchemaRegistryException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes classification records and checks the fields the alert rule relies on. A record that cannot be
 * used never stops the stream and never disappears: it goes to the classifications dead-letter topic with
 * the reason. A schema registry that cannot be reached is not the record's fault: that error propagates,
 * so the record is retried once the stream thread is replaced.
 */
final class ClassificationIntake implements Processor<byte[], byte[], Object, Object> {

    static final String SERVICE = "alerts";
    private static final Logger LOG = LoggerFactory.getLogger(ClassificationIntake.class);

    private final Deserializer<Classification> reader;
    private final String detector;
    private final String deadLetterSink;
    private final AlertsMetrics metrics;
    private ProcessorContext<Object, Object> context;

    ClassificationIntake(Deserializer<Classification> reader, String detector, String deadLetterSink, AlertsMetrics metrics) {
        this.reader = reader;
        this.detector = detector;
        this.deadLetterSink = deadLetterSink;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("classifications");
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            deadLetter(record, DeadLetterReason.NULL_VALUE, "Tombstone (null value) on " + topic, key, null);
            return;
        }
        Classification c;
        try {
            c = reader.deserialize(topic, record.value());
        } catch (RecordDecodeException e) {
            deadLetter(record, e.reason(), e.getMessage(), key, null);
            return;
        } catch (SchemaRegistryException e) {
            throw e;
        } catch (SerializationException e) {
            deadLetter(record, DeadLetterReason.MALFORMED_AVRO, "Undecodable classification on " + topic + ": "
                    + e.getMessage(), key, null);
            return;
        }
        String problem = problemWith(c, key);
        if (problem != null) {
            deadLetter(record, DeadLetterReason.INVALID_FIELD, problem, c.getCameraId(), c.getFrameSequence());
            return;
        }
        context.forward(new Record<Object, Object>(c.getCameraId(), c, record.timestamp(), record.headers()), detector);
    }

    private static String problemWith(Classification c, String key) {
        if (c.getCameraId() == null || c.getCameraId().isBlank()) {
            return "Classification without a camera id";
        }
        if (key != null && !key.equals(c.getCameraId())) {
            // The camera's state lives in the partition of its key: a record keyed otherwise would split it.
            return "Record key '" + key + "' is not the camera id '" + c.getCameraId() + "'";
        }
        if (c.getMask() == null && !c.getFaces().isEmpty()) {
            return "Classification with " + c.getFaces().size() + " face(s) but no frame-level mask label";
        }
        if (c.getMask() != null) {
            String bad = problemWith(c.getMask(), "Mask");
            if (bad != null) {
                return bad;
            }
        }
        for (int i = 0; i < c.getFaces().size(); i++) {
            String bad = problemWith(c.getFaces().get(i).getMask(), "Face " + i + ": mask");
            if (bad != null) {
                return bad;
            }
        }
        if (c.getCaptureTime() == null) {
            return "Classification without a capture time";
        }
        return null;
    }

    private static String problemWith(io.maskstream.events.MaskHead mask, String what) {
        if (mask == null || mask.getLabel() == null) {
            return what + " without a label";
        }
        float p = mask.getProbability();
        if (!(p >= 0f && p <= 1f)) {
            return what + " probability " + p + " is not in [0, 1]";
        }
        return null;
    }

    private void deadLetter(Record<byte[], byte[]> record, DeadLetterReason reason, String message, String camera,
                            Long sequence) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        LOG.warn("Classification {}:{}@{} to the dead-letter topic ({}): {}", meta == null ? "?" : meta.topic(),
                meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(), reason, message);
        DeadLetter letter = DeadLetter.newBuilder()
                .setOriginalTopic(meta == null ? "unknown" : meta.topic())
                .setOriginalPartition(meta == null ? -1 : meta.partition())
                .setOriginalOffset(meta == null ? -1 : meta.offset())
                .setOriginalTimestamp(Instant.ofEpochMilli(Math.max(0, record.timestamp())))
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setReason(reason)
                .setMessage(message)
                .setService(SERVICE)
                .setFailedTime(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setCameraId(camera)
                .setFrameSequence(sequence)
                .build();
        metrics.deadLetter(reason);
        context.forward(new Record<Object, Object>(record.key(), letter, record.timestamp(), record.headers()), deadLetterSink);
    }
}
