package io.maskstream.model;

/**
 * How a mask is worn, in the mask head's label order (the competition's: 0 worn, 1 incorrect, 2 none).
 *
 * <p>The events carry the same symbols in the same order ({@code io.maskstream.events}: a processor test checks
 * it), and {@link LabelCodec} numbers the 18 classes by these ordinals.
 */
public enum MaskLabel {
    WORN, INCORRECT, NONE
}
