package io.maskstream.model;

/**
 * Gender as the competition labels it, in the gender head's label order (0 male, 1 female).
 *
 * <p>The events carry the same symbols in the same order ({@code io.maskstream.events}: a processor test checks
 * it), and {@link LabelCodec} numbers the 18 classes by these ordinals.
 */
public enum GenderLabel {
    MALE, FEMALE
}
