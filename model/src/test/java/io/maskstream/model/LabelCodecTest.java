package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.events.AgeBand;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelCodecTest {

    @Test
    void everyClassCodeRoundTripsThroughItsTriple() {
        Set<Integer> seen = new HashSet<>();
        for (MaskState m : MaskState.values()) {
            for (Gender g : Gender.values()) {
                for (AgeBand a : AgeBand.values()) {
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
        assertThat(LabelCodec.classCode(MaskState.WORN, Gender.MALE, AgeBand.UNDER_30)).isZero();
        assertThat(LabelCodec.classCode(MaskState.WORN, Gender.FEMALE, AgeBand.UNDER_30)).isEqualTo(3);
        assertThat(LabelCodec.classCode(MaskState.INCORRECT, Gender.MALE, AgeBand.FROM_30_TO_59)).isEqualTo(7);
        assertThat(LabelCodec.classCode(MaskState.NONE, Gender.MALE, AgeBand.FROM_60)).isEqualTo(14);
        assertThat(LabelCodec.classCode(MaskState.NONE, Gender.FEMALE, AgeBand.FROM_60)).isEqualTo(17);
        assertThat(LabelCodec.describe(0)).isEqualTo("WORN/MALE/UNDER_30");
        assertThat(LabelCodec.describe(17)).isEqualTo("NONE/FEMALE/FROM_60");
    }

    @Test
    void rejectsCodesOutsideTheEighteenClasses() {
        assertThatThrownBy(() -> LabelCodec.mask(18)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("18");
        assertThatThrownBy(() -> LabelCodec.describe(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
