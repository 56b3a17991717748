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
 * @param label       ground truth of a portrait (one person), or null
 * @param scene       ground truth of a scene (every face in it), or null; at most one of label and scene is set
 */
public record Capture(byte[] image, String contentType, int width, int height, Instant captureTime, String source,
                      FrameLabel label, SceneLabel scene) {

    public Capture {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(captureTime, "captureTime");
        if (label != null && scene != null) {
            throw new IllegalArgumentException("a capture is a portrait or a scene, not both");
        }
    }

    /** A portrait capture: labelled with {@code label} when it is not null, else an ordinary frame. */
    public Capture(byte[] image, String contentType, int width, int height, Instant captureTime, String source,
                   FrameLabel label) {
        this(image, contentType, width, height, captureTime, source, label, null);
    }

    /** An unlabelled frame. */
    public static Capture of(byte[] image, String contentType, int width, int height, Instant captureTime, String source) {
        return new Capture(image, contentType, width, height, captureTime, source, null, null);
    }

    /** A labelled scene. */
    public static Capture ofScene(byte[] image, String contentType, int width, int height, Instant captureTime,
                                  String source, SceneLabel scene) {
        return new Capture(image, contentType, width, height, captureTime, source, null, Objects.requireNonNull(scene, "scene"));
    }

    /** True when it carries ground truth (a portrait's or a scene's): it goes to the labeled-frames topic. */
    public boolean labeled() {
        return label != null || scene != null;
    }

    /** The key of its labelled frame: the person id of a portrait, the sequence id of a scene; null when unlabelled. */
    public String labelKey() {
        return label != null ? label.personId() : scene != null ? scene.sequenceId() : null;
    }

    @Override
    public String toString() {
        return "Capture[" + contentType + ", " + image.length + " bytes, " + width + "x" + height + ", " + captureTime
                + (source == null ? "" : ", source=" + source) + (label == null ? "" : ", " + label)
                + (scene == null ? "" : ", scene " + scene.sequenceId() + " with " + scene.faces().size() + " faces") + "]";
    }
}
