package io.maskstream.model;

/**
 * The shape of a network's output, and so what kind of model a bundle holds: a classifier of face crops or a face
 * detector of whole frames.
 *
 * <ul>
 *   <li>{@link #MULTI_HEAD}: three logit vectors, mask {@code [N,3]}, gender {@code [N,2]}, age {@code [N,3]};
 *       the 18-class probability is the product of the three heads' probabilities.</li>
 *   <li>{@link #SINGLE_18}: one {@code [N,18]} logit vector in class-code order; the heads are its marginals.</li>
 *   <li>{@link #FACE_GRID}: a face detector's grid, one {@code [N,5,H/8,W/8]} map for an {@code H×W} input: per cell
 *       an objectness logit, the face centre's offset from the cell centre (x, y, in cells) and the face's log width
 *       and log height; see {@link FaceGrid}.</li>
 * </ul>
 */
public enum HeadLayout {
    MULTI_HEAD,
    SINGLE_18,
    FACE_GRID;

    /** Whether a bundle of this layout is a face detector (whole frames in, face boxes out) rather than a classifier. */
    public boolean isDetector() {
        return this == FACE_GRID;
    }

    /** Units of each output, in output order; for {@link #FACE_GRID} the channels of its one map. */
    int[] units() {
        return switch (this) {
            case MULTI_HEAD -> new int[] {3, 2, 3};
            case SINGLE_18 -> new int[] {LabelCodec.CLASSES};
            case FACE_GRID -> new int[] {FaceGrid.CHANNELS};
        };
    }
}
