package io.maskstream.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/** The registry could not be reached or refused a request; {@link #status()} is the HTTP status or -1. */
public final class SchemaRegistryException extends SerializationException {

    private static final long serialVersionUID = 1L;
    private final int status;

    public SchemaRegistryException(String message, Throwable cause, int status) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
