package io.maskstream.trainer;

import io.maskstream.evaluation.metrics.DetectionMetrics.Truth;
import io.maskstream.model.Box;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A camera frame and every face in it, as the face detector learns from: the frame at full resolution and each face's
 * box in its pixels, with a key the detector's recall is reported under (the mask state). A frame may hold no face.
 */
public record LabeledScene(DecodedImage frame, List<Truth> faces) {

    /** Validates and freezes the faces. */
    public LabeledScene {
        Objects.requireNonNull(frame, "frame");
        faces = List.copyOf(faces);
    }

    /** A frame whose faces all count under {@code key}. */
    public static LabeledScene of(DecodedImage frame, List<Box> boxes, String key) {
        List<Truth> faces = new ArrayList<>(boxes.size());
        for (Box b : boxes) {
            faces.add(new Truth(b, key));
        }
        return new LabeledScene(frame, faces);
    }

    /**
     * A frame from its encoded bytes, decoded at full resolution as serving decodes camera frames.
     *
     * @throws ImageRejectedException as {@link ImagePreprocessor#decode} rejects
     */
    public static LabeledScene decode(ImagePreprocessor preprocessor, byte[] encoded, List<Truth> faces)
            throws ImageRejectedException {
        return new LabeledScene(preprocessor.decode(encoded), faces);
    }

    /** The faces' boxes, in order. */
    public List<Box> boxes() {
        List<Box> boxes = new ArrayList<>(faces.size());
        for (Truth t : faces) {
            boxes.add(t.box());
        }
        return boxes;
    }
}
