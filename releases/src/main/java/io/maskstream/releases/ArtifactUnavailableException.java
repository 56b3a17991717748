package io.maskstream.releases;

/**
 * A model artifact that could not be read this time for a reason outside the artifact (the broker unreachable, a
 * read that timed out): the release is not refused, and the same fetch may succeed later.
 */
public final class ArtifactUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public ArtifactUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
