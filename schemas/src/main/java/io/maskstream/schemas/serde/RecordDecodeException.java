package io.maskstream.schemas.serde;

import io.maskstream.events.DeadLetterReason;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes are not a readable Avro record in the wire format; {@link #reason()} says which way,
 * for the dead-letter topic.
 */
public final class RecordDecodeException extends SerializationException {

    private static final long serialVersionUID = 1L;
    private final DeadLetterReason reason;

    public RecordDecodeException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
