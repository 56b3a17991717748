package io.maskstream.datasets;

import io.maskstream.events.AgeBand;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.util.Objects;

/**
 * One detected and classified face, as a line of a COCO detection results file (see {@link CocoResults}).
 *
 * @param imageId the COCO image id it was found in
 * @param box     where, in the image's pixels
 * @param score   the detector's confidence, 0..1
 * @param mask    the mask head's label
 * @param gender  the gender head's label
 * @param ageBand the age head's label
 * @param trackId the track the face was assigned to, or null when not tracked
 */
public record CocoResult(long imageId, FaceBox box, float score, MaskState mask, Gender gender, AgeBand ageBand,
                         Long trackId) {

    public CocoResult {
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(gender, "gender");
        Objects.requireNonNull(ageBand, "ageBand");
    }

    /** The competition's class, 0..17: {@code mask·6 + gender·3 + age band}. */
    public int classIndex() {
        return mask.ordinal() * 6 + gender.ordinal() * 3 + ageBand.ordinal();
    }
}
