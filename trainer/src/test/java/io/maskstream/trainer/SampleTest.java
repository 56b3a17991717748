package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.AgeBand;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.model.AgeBands;
import io.maskstream.model.LabelCodec;
import org.junit.jupiter.api.Test;

class SampleTest {

    private static final AgeBands SHIFTED = AgeBands.parse("30,58");

    @Test
    void trainingLabelsFollowTheBandsOfTheRunNotThoseOfLoading() {
        int truth = LabelCodec.classCode(MaskState.NONE, Gender.FEMALE, AgeBands.COMPETITION.band(58));
        Sample fiftyEight = new Sample("p1", "p1/normal", truth, 58, null, new byte[0]);

        assertThat(fiftyEight.ageLabel(AgeBands.COMPETITION)).isEqualTo(AgeBand.FROM_30_TO_59.ordinal());
        assertThat(fiftyEight.ageLabel(SHIFTED)).isEqualTo(AgeBand.FROM_60.ordinal());
        assertThat(fiftyEight.trainClass(AgeBands.COMPETITION)).isEqualTo(truth);
        assertThat(fiftyEight.trainClass(SHIFTED))
                .isEqualTo(LabelCodec.classCode(MaskState.NONE, Gender.FEMALE, AgeBand.FROM_60));
        assertThat(fiftyEight.maskLabel()).isEqualTo(MaskState.NONE.ordinal());
        assertThat(fiftyEight.genderLabel()).isEqualTo(Gender.FEMALE.ordinal());
    }
}
