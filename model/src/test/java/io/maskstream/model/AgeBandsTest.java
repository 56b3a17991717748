package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AgeBandsTest {

    @Test
    void competitionBoundariesAre30And60() {
        AgeBands bands = AgeBands.COMPETITION;
        assertThat(bands.band(0)).isEqualTo(AgeLabel.UNDER_30);
        assertThat(bands.band(29)).isEqualTo(AgeLabel.UNDER_30);
        assertThat(bands.band(30)).isEqualTo(AgeLabel.FROM_30_TO_59);
        assertThat(bands.band(59)).isEqualTo(AgeLabel.FROM_30_TO_59);
        assertThat(bands.band(60)).isEqualTo(AgeLabel.FROM_60);
        assertThat(bands.band(99)).isEqualTo(AgeLabel.FROM_60);
    }

    @Test
    void shiftedTrainingBandsCount57AsOld() {
        AgeBands training = AgeBands.parse("30, 57");
        assertThat(training).isEqualTo(new AgeBands(30, 57));
        assertThat(training.band(56)).isEqualTo(AgeLabel.FROM_30_TO_59);
        assertThat(training.band(57)).isEqualTo(AgeLabel.FROM_60);
        assertThat(training.band(59)).isEqualTo(AgeLabel.FROM_60);
        assertThat(training.band(29)).isEqualTo(AgeLabel.UNDER_30);
    }

    @Test
    void parsesItsOwnTextForm() {
        assertThat(AgeBands.parse(AgeBands.COMPETITION.text())).isEqualTo(AgeBands.COMPETITION);
    }

    @Test
    void badTextIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> AgeBands.parse("30")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"30,60\"").hasMessageContaining("got \"30\"");
        assertThatThrownBy(() -> AgeBands.parse("thirty,60")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thirty");
        assertThatThrownBy(() -> AgeBands.parse("60,30")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("middleFrom < oldFrom");
        assertThatThrownBy(() -> AgeBands.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgeBands.COMPETITION.band(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
