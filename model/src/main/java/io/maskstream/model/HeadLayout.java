package io.maskstream.model;

/**
 * The shape of a network's output, and so what kind of model a bundle holds: a classifier of face crops or a face
 * detector of whole frames.
 *
 * <ul>
 *   <li>{@link #MULTI_HEAD}: three logit vectors, mask {@code [N,3]}, gender {@code [N,2]}, age {@code [N,3]};
 *       the 18-class probability is the product of the three heads' probabilities.</li>
 *   <li>{@link #SINGLE_18}: one {@code [N,18]} logit vector in class-code order; the heads are its marginals.</li>
 *   <li>{@link #MASK_CONDITIONAL_AGE}: four logit vectors, mask {@code [N,3]}, gender {@code [N,2]}, the age of a
 *       masked face {@code [N,3]} and the age of an unmasked one {@code [N,3]} (a competition entry's age model: age
 *       looks different behind a mask). "Masked" is {@link MaskLabel#WORN}; {@link MaskLabel#INCORRECT} and
 *       {@link MaskLabel#NONE} count as unmasked (see {@link #maskedForAge}). The 18-class probability is the joint
 *       {@code P(mask)·P(gender)·P(age | masked or not)}; the heads are its marginals (see {@link Outputs}).</li>
 *   <li>{@link #FACE_GRID}: a face detector's grid, one {@code [N,5,H/8,W/8]} map for an {@code H×W} input: per cell
 *       an objectness logit, the face centre's offset from the cell centre (x, y, in cells) and the face's log width
 *       and log height; see {@link FaceGrid}.</li>
 * </ul>
 */
public enum HeadLayout {
    MULTI_HEAD,
    SINGLE_18,
    FACE_GRID,
    MASK_CONDITIONAL_AGE;

    /** Output index of {@link #MASK_CONDITIONAL_AGE}'s age head for masked faces (the unmasked one follows it). */
    public static final int MASKED_AGE_OUTPUT = 2;

    /**
     * Whether {@link #MASK_CONDITIONAL_AGE}'s age head for masked faces is the one for a face of this mask state:
     * only for a mask worn properly. An incorrectly worn mask leaves the nose and often the mouth uncovered, and it is
     * 1 photo in 7 of a person (5 are worn): with the unmasked photo it gives the unmasked age head twice the faces it
     * would have alone. Training (which head learns from which face) and decoding use this one rule.
     */
    public static boolean maskedForAge(MaskLabel mask) {
        return mask == MaskLabel.WORN;
    }

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
            case MASK_CONDITIONAL_AGE -> new int[] {3, 2, 3, 3};
        };
    }
}
