package io.maskstream.trainer;

import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.model.Box;
import java.util.List;
import java.util.Objects;

/**
 * One labeled scene as the trainer loads it (from a COCO folder or a scene on the labeled-frames topic): the
 * sequence it belongs to (the unit of every split: people recur within a sequence), an id for logs, the encoded
 * frame, and its labeled faces (possibly none).
 */
public record SceneSample(String sequenceId, String id, byte[] encoded, List<Face> faces) {

    /** A labeled face: box in the frame's pixels and its labels. */
    public record Face(Box box, MaskState mask, Gender gender, int age) {
    }

    /** Validates and freezes. */
    public SceneSample {
        Objects.requireNonNull(sequenceId, "sequenceId");
        Objects.requireNonNull(encoded, "encoded");
        faces = List.copyOf(faces);
    }
}
