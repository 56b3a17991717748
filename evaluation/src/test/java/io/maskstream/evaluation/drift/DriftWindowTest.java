package io.maskstream.evaluation.drift;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sliding window: it forgets the oldest answer, and survives its changelog's bytes. */
class DriftWindowTest {

    @Test
    void slidesOverTheLastAnswersOnly() {
        DriftWindow w = new DriftWindow("v1", 3);
        w.add(1, 95);
        w.add(2, 40);
        assertThat(w.full()).isFalse();
        w.add(2, 100);
        w.add(17, 5); // drops the first answer (class 1)
        assertThat(w.full()).isTrue();
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.frames()).isEqualTo(4);
        int[] classes = w.classCounts();
        assertThat(classes[1]).isZero();
        assertThat(classes[2]).isEqualTo(2);
        assertThat(classes[17]).isEqualTo(1);
        assertThat(w.confidenceCounts(10)).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 0, 1);
    }

    @Test
    void roundTripsThroughItsSerde() {
        DriftWindow w = new DriftWindow("resnet18-x", 4);
        for (int i = 0; i < 6; i++) {
            w.add(i, 10 * i);
        }
        w.freezeFirstWindow();
        w.raised(1, true);
        DriftWindow back = DriftWindow.fromBytes(w.toBytes());
        assertThat(back.version()).isEqualTo("resnet18-x");
        assertThat(back.classCounts()).containsExactly(w.classCounts());
        assertThat(back.confidenceCounts(10)).containsExactly(w.confidenceCounts(10));
        assertThat(back.firstClassCounts()).containsExactly(w.firstClassCounts());
        assertThat(back.raised(0)).isFalse();
        assertThat(back.raised(1)).isTrue();
        back.add(0, 50); // and keeps sliding where it was: drops class 2, the oldest left
        assertThat(back.classCounts()[2]).isZero();
        assertThat(back.classCounts()[0]).isEqualTo(1);
    }

    @Test
    void binsProbabilitiesToThePercent() {
        assertThat(DriftWindow.percent(0.999)).isEqualTo(99);
        assertThat(DriftWindow.percent(1.0)).isEqualTo(100);
        assertThat(DriftWindow.percentBin(100, 10)).isEqualTo(9);
        assertThat(DriftWindow.percentBin(30, 10)).isEqualTo(3);
        assertThat(DriftWindow.percentBin(29, 10)).isEqualTo(2);
        assertThat(TrainingProfiles.bin(0.3, 10)).isEqualTo(DriftWindow.percentBin(DriftWindow.percent(0.3), 10));
    }
}
