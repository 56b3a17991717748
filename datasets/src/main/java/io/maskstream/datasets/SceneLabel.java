package io.maskstream.datasets;

import java.util.List;
import java.util.Objects;

/**
 * The ground truth of a scene: every face in it (possibly none). A capture carrying one is published as a
 * {@code LabeledFrame} with {@code scene = true}, keyed by {@link #sequenceId()} so a sequence stays in one partition.
 *
 * @param sequenceId the sequence the image belongs to (people recur within it), e.g. {@code seq0003}
 * @param faces      the labelled faces, in annotation order
 * @param sourcePath path relative to the dataset root, e.g. {@code images/seq0003_0012.jpg}
 */
public record SceneLabel(String sequenceId, List<SceneFace> faces, String sourcePath) {

    public SceneLabel {
        Objects.requireNonNull(sequenceId, "sequenceId");
        Objects.requireNonNull(sourcePath, "sourcePath");
        faces = List.copyOf(faces);
        if (sequenceId.isBlank()) {
            throw new IllegalArgumentException("sequenceId is blank");
        }
    }
}
