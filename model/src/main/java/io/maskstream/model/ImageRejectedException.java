package io.maskstream.model;

import io.maskstream.events.DeadLetterReason;

/**
 * An encoded image that cannot become a network input. Carries the dead-letter reason code
 * ({@code UNDECODABLE_IMAGE}, {@code IMAGE_TOO_SMALL}, {@code IMAGE_TOO_LARGE} or
 * {@code UNSUPPORTED_CONTENT_TYPE}) and a message an operator can act on. Never carries image bytes.
 */
public final class ImageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    /** A rejection with its reason code and readable message. */
    public ImageRejectedException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A rejection caused by a decoder failure. */
    public ImageRejectedException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the image was rejected. */
    public DeadLetterReason reason() {
        return reason;
    }
}
