package io.maskstream.model;

/**
 * The shape of a network's output.
 *
 * <ul>
 *   <li>{@link #MULTI_HEAD}: three logit vectors, mask {@code [N,3]}, gender {@code [N,2]}, age {@code [N,3]};
 *       the 18-class probability is the product of the three heads' probabilities.</li>
 *   <li>{@link #SINGLE_18}: one {@code [N,18]} logit vector in class-code order; the heads are its marginals.</li>
 * </ul>
 */
public enum HeadLayout {
    MULTI_HEAD,
    SINGLE_18;

    /** Units of each output, in output order. */
    int[] units() {
        return this == MULTI_HEAD ? new int[] {3, 2, 3} : new int[] {LabelCodec.CLASSES};
    }
}
