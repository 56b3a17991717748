package io.maskstream.model;

/**
 * An encoded image that cannot become a network input. Carries the reason ({@link Reason}; the dead-letter
 * reasons of the same names) and a message an operator can act on. Never carries image bytes.
 */
public final class ImageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an image cannot be a network input; each is also a dead-letter reason of the same name. */
    public enum Reason {
        /** Not a JPEG or PNG, or truncated or corrupt. */
        UNDECODABLE_IMAGE,
        /** Its shorter side is below the minimum. */
        IMAGE_TOO_SMALL,
        /** More pixels or bytes than allowed. */
        IMAGE_TOO_LARGE,
        /** A format the preprocessing does not read. */
        UNSUPPORTED_CONTENT_TYPE
    }

    private final Reason reason;

    /** A rejection with its reason code and readable message. */
    public ImageRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A rejection caused by a decoder failure. */
    public ImageRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the image was rejected. */
    public Reason reason() {
        return reason;
    }
}
