package io.maskstream.synthetic;

import io.maskstream.datasets.SceneFace;
import java.util.List;

/**
 * One synthetic scene frame and its ground truth.
 *
 * @param sequenceId the sequence, e.g. {@code seq0003}
 * @param frame      the frame's index within its sequence (0-based)
 * @param jpeg       the frame as JPEG
 * @param width      width in pixels
 * @param height     height in pixels
 * @param faces      every visible face, boxes clipped to the frame, nearest person last
 */
public record Scene(String sequenceId, int frame, byte[] jpeg, int width, int height, List<SceneFace> faces) {

    public Scene {
        faces = List.copyOf(faces);
    }

    /** Its file name in a COCO folder's {@code images/}: {@code <sequence>_<frame, 4 digits>.jpg}. */
    public String fileName() {
        return String.format("%s_%04d.jpg", sequenceId, frame);
    }

    @Override
    public String toString() {
        return "Scene[" + sequenceId + " frame " + frame + ", " + width + "x" + height + ", " + jpeg.length + " bytes, "
                + faces.size() + " faces]";
    }
}
