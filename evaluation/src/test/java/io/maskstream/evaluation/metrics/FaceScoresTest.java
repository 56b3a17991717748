package io.maskstream.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FaceScoresTest {

    @Test
    void withoutMissesTheScoresAreThePortraitConfusions() {
        FaceScores s = new FaceScores();
        Confusion c = new Confusion();
        int[][] answers = {{0, 0}, {0, 1}, {7, 7}, {12, 12}, {12, 0}, {17, 5}};
        for (int[] a : answers) {
            s.add(a[0], a[1]);
            c.add(a[0], a[1]);
        }
        assertThat(s.macroF1()).isEqualTo(c.macroF1());
        assertThat(s.maskF1()).isEqualTo(c.maskF1());
        assertThat(s.genderF1()).isEqualTo(c.genderF1());
        assertThat(s.ageF1()).isEqualTo(c.ageF1());
        assertThat(s.accuracy()).isEqualTo(c.accuracy());
    }

    @Test
    void aMissedFaceLowersItsClassRecallAndCreditsNoClass() {
        FaceScores s = new FaceScores();
        s.add(3, 3);
        s.missed(3);
        s.add(9, 9);
        // class 3: precision 1, recall 1/2 -> F1 2/3; class 9: F1 1. Macro over the two classes present: 5/6.
        assertThat(s.macroF1()).isCloseTo(5.0 / 6, within(1e-12));
        assertThat(s.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.faces()).isEqualTo(3);
        assertThat(s.missedFaces()).isEqualTo(1);
        assertThat(s.matched().total()).isEqualTo(2);
    }

    @Test
    void aClassWhoseEveryFaceWasMissedCountsWithF1Zero() {
        FaceScores s = new FaceScores();
        s.add(0, 0);
        s.missed(17);
        assertThat(s.macroF1()).isCloseTo(0.5, within(1e-12));
        // mask head: worn (0) found, none (17 -> mask 2) missed
        assertThat(s.maskF1()).isCloseTo(0.5, within(1e-12));
    }
}
