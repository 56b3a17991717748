package io.maskstream.model;

/**
 * Age band, in the age head's label order (0: under 30, 1: 30 to 59, 2: 60 and over); where the bands
 * start is {@link AgeBands}.
 *
 * <p>The events carry the same symbols in the same order ({@code io.maskstream.events}: a processor test checks
 * it), and {@link LabelCodec} numbers the 18 classes by these ordinals.
 */
public enum AgeLabel {
    UNDER_30, FROM_30_TO_59, FROM_60
}
