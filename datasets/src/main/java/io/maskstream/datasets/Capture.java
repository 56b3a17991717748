package io.maskstream.datasets;

import java.time.Instant;
import java.util.Objects;

/**
 * One encoded image as a camera source yields it, before the publisher gives it a sequence number.
 * The bytes are never logged; {@link #toString()} shows only their size.
 *
 * @param image       encoded image bytes (JPEG or PNG)
 * @param contentType {@code image/jpeg} or {@code image/png}
 * @param width       width in pixels, or 0 when unknown
 * @param height      height in pixels, or 0 when unknown
 * @param captureTime when the image was captured
 * @param source      where it came from (a file name, an eval ImageID, a URL without credentials), or null
 * @param label       ground truth for labelled data, or null for an ordinary camera frame
 */
public record Capture(byte[] image, String contentType, int width, int height, Instant captureTime, String source,
                      FrameLabel label) {

    public Capture {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(captureTime, "captureTime");
    }

    /** An unlabelled frame. */
    public static Capture of(byte[] image, String contentType, int width, int height, Instant captureTime, String source) {
        return new Capture(image, contentType, width, height, captureTime, source, null);
    }

    @Override
    public String toString() {
        return "Capture[" + contentType + ", " + image.length + " bytes, " + width + "x" + height + ", " + captureTime
                + (source == null ? "" : ", source=" + source) + (label == null ? "" : ", " + label) + "]";
    }
}
