package io.maskstream.model;

/**
 * A model bundle that must not serve: its message says what was wrong in words an operator can act on,
 * {@link #reason()} says it for code (metrics, release status).
 */
public final class InvalidModelException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What was wrong with the bundle. */
    public enum Reason {
        /** The weights' SHA-256 differs from the one in the metadata. */
        CHECKSUM_MISMATCH,
        /** The bundle is cut short or its zip structure is corrupt. */
        TRUNCATED,
        /** metadata.json is missing, unreadable, incomplete, of an unknown format version or absurd. */
        BAD_METADATA,
        /** The metadata names an architecture this build does not know. */
        UNKNOWN_ARCHITECTURE,
        /** A tensor in the weights does not fit the network the metadata describes. */
        SHAPE_MISMATCH,
        /** A weight is NaN or infinite. */
        NON_FINITE_WEIGHTS,
        /** The engine failed to load or run the network. */
        LOAD_FAILED,
        /** The release carries no signature and this processor requires one. */
        UNSIGNED,
        /** The release is signed by a key this processor does not trust. */
        UNTRUSTED_SIGNATURE,
        /** The signature does not verify: forged, or a signed field (e.g. the SHA-256) changed after signing. */
        BAD_SIGNATURE
    }

    private final Reason reason;

    /** A refusal with its reason and readable message. */
    public InvalidModelException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A refusal caused by another failure. */
    public InvalidModelException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the bundle was refused. */
    public Reason reason() {
        return reason;
    }
}
