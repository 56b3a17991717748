package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelCodecTest {

    @Test
    void everyClassCodeRoundTripsThroughItsTriple() {
        Set<Integer> seen = new HashSet<>();
        for (MaskLabel m : MaskLabel.values()) {
            for (GenderLabel g : GenderLabel.values()) {
                for (AgeLabel a : AgeLabel.values()) {
                    int code = LabelCodec.classCode(m, g, a);
                    assertThat(code).isBetween(0, 17);
                    assertThat(LabelCodec.mask(code)).isEqualTo(m);
                    assertThat(LabelCodec.gender(code)).isEqualTo(g);
                    assertThat(LabelCodec.age(code)).isEqualTo(a);
                    seen.add(code);
                }
            }
        }
        assertThat(seen).hasSize(LabelCodec.CLASSES);
        for (int code = 0; code < LabelCodec.CLASSES; code++) {
            assertThat(LabelCodec.classCode(LabelCodec.mask(code), LabelCodec.gender(code), LabelCodec.age(code))).isEqualTo(code);
        }
    }

    @Test
    void followsTheCompetitionNumbering() {
        assertThat(LabelCodec.classCode(MaskLabel.WORN, GenderLabel.MALE, AgeLabel.UNDER_30)).isZero();
        assertThat(LabelCodec.classCode(MaskLabel.WORN, GenderLabel.FEMALE, AgeLabel.UNDER_30)).isEqualTo(3);
        assertThat(LabelCodec.classCode(MaskLabel.INCORRECT, GenderLabel.MALE, AgeLabel.FROM_30_TO_59)).isEqualTo(7);
        assertThat(LabelCodec.classCode(MaskLabel.NONE, GenderLabel.MALE, AgeLabel.FROM_60)).isEqualTo(14);
        assertThat(LabelCodec.classCode(MaskLabel.NONE, GenderLabel.FEMALE, AgeLabel.FROM_60)).isEqualTo(17);
        assertThat(LabelCodec.describe(0)).isEqualTo("WORN/MALE/UNDER_30");
        assertThat(LabelCodec.describe(17)).isEqualTo("NONE/FEMALE/FROM_60");
    }

    @Test
    void rejectsCodesOutsideTheEighteenClasses() {
        assertThatThrownBy(() -> LabelCodec.mask(18)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("18");
        assertThatThrownBy(() -> LabelCodec.describe(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
