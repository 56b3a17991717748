package io.maskstream.datasets;

import java.util.List;
import java.util.Objects;

/**
 * One image of a COCO folder with its labelled faces.
 *
 * @param id         the image id in {@code annotations.json}
 * @param fileName   its {@code file_name}, relative to {@code images/} (a leading {@code images/} is accepted too)
 * @param width      width in pixels, as listed (and checked against the file's header when read)
 * @param height     height in pixels
 * @param sequenceId the sequence it belongs to (see {@link CocoDataset#read})
 * @param faces      its faces, in annotation order, boxes clipped to the image
 */
public record CocoImage(long id, String fileName, int width, int height, String sequenceId, List<SceneFace> faces) {

    public CocoImage {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(sequenceId, "sequenceId");
        faces = List.copyOf(faces);
    }

    /** Its path relative to the dataset root, e.g. {@code images/seq0003_0012.jpg}. */
    public String relativePath() {
        return fileName.startsWith(CocoDataset.IMAGES + "/") ? fileName : CocoDataset.IMAGES + "/" + fileName;
    }

    /** Its ground truth as a capture carries it. */
    public SceneLabel label() {
        return new SceneLabel(sequenceId, faces, relativePath());
    }
}
