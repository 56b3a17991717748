package io.maskstream.processor;

import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds dead letters: the original record's coordinates and bytes, a reason code and a readable message. */
final class DeadLetters {

    static final String SERVICE = "stream-processor";

    private DeadLetters() {
    }

    static DeadLetter of(RecordMetadata source, long timestamp, byte[] key, byte[] value, DeadLetterReason reason,
                         String message, String cameraId, Long sequence) {
        return of(source == null ? "unknown" : source.topic(), source == null ? -1 : source.partition(),
                source == null ? -1 : source.offset(), timestamp, key, value, reason, message, cameraId, sequence);
    }

    static DeadLetter of(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                         DeadLetterReason reason, String message, String cameraId, Long sequence) {
        return DeadLetter.newBuilder()
                .setOriginalTopic(topic)
                .setOriginalPartition(partition)
                .setOriginalOffset(offset)
                .setOriginalTimestamp(Instant.ofEpochMilli(Math.max(0, timestamp)))
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason)
                .setMessage(message)
                .setService(SERVICE)
                .setFailedTime(Instant.now())
                .setCameraId(cameraId)
                .setFrameSequence(sequence)
                .build();
    }
}
