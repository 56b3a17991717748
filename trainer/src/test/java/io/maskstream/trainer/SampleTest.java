package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.model.AgeBands;
import io.maskstream.model.AgeLabel;
import io.maskstream.model.GenderLabel;
import io.maskstream.model.MaskLabel;
import io.maskstream.model.LabelCodec;
import org.junit.jupiter.api.Test;

class SampleTest {

    private static final AgeBands SHIFTED = AgeBands.parse("30,58");

    @Test
    void trainingLabelsFollowTheBandsOfTheRunNotThoseOfLoading() {
        int truth = LabelCodec.classCode(MaskLabel.NONE, GenderLabel.FEMALE, AgeBands.COMPETITION.band(58));
        Sample fiftyEight = new Sample("p1", "p1/normal", truth, 58, null, new byte[0]);

        assertThat(fiftyEight.ageLabel(AgeBands.COMPETITION)).isEqualTo(AgeLabel.FROM_30_TO_59.ordinal());
        assertThat(fiftyEight.ageLabel(SHIFTED)).isEqualTo(AgeLabel.FROM_60.ordinal());
        assertThat(fiftyEight.trainClass(AgeBands.COMPETITION)).isEqualTo(truth);
        assertThat(fiftyEight.trainClass(SHIFTED))
                .isEqualTo(LabelCodec.classCode(MaskLabel.NONE, GenderLabel.FEMALE, AgeLabel.FROM_60));
        assertThat(fiftyEight.maskLabel()).isEqualTo(MaskLabel.NONE.ordinal());
        assertThat(fiftyEight.genderLabel()).isEqualTo(GenderLabel.FEMALE.ordinal());
    }
}
