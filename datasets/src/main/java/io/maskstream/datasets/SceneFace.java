package io.maskstream.datasets;

import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.util.Objects;

/**
 * One labelled face of a scene: where it is and who it is.
 *
 * @param box       where the face is, in the image's pixels (COCO style, clipped to the image)
 * @param maskState how the mask is worn
 * @param gender    the person's gender
 * @param age       age in years
 * @param personId  who this is (the same id across a sequence's frames), or null when the annotation does not say
 */
public record SceneFace(FaceBox box, MaskState maskState, Gender gender, int age, String personId) {

    public SceneFace {
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(maskState, "maskState");
        Objects.requireNonNull(gender, "gender");
    }
}
