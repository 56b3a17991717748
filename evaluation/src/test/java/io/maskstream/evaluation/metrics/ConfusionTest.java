package io.maskstream.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.maskstream.events.ModelMetrics;
import org.junit.jupiter.api.Test;

/** Metrics against cases computed by hand, following scikit-learn's definition of macro-F1. */
class ConfusionTest {

    private static Confusion of(int[][] pairs) {
        Confusion c = new Confusion();
        for (int[] p : pairs) {
            c.add(p[0], p[1]);
        }
        return c;
    }

    @Test
    void perfectAnswersOnTwoClassesGiveF1One() {
        Confusion c = of(new int[][] {{0, 0}, {0, 0}, {17, 17}});
        assertThat(c.macroF1()).isEqualTo(1.0);
        assertThat(c.accuracy()).isEqualTo(1.0);
    }

    /**
     * truth     0 0 0 1 1 2
     * predicted 0 0 1 1 2 2
     * class 0: P=2/2 R=2/3 F1=0.8; class 1: P=1/2 R=1/2 F1=0.5; class 2: P=1/2 R=1/1 F1=2/3.
     * Macro over the 3 classes present: (0.8 + 0.5 + 0.6667)/3 = 0.65556. Classes 3..17 are absent from truth
     * and predictions and do not count.
     */
    @Test
    void classesAbsentFromTruthAndPredictionsDoNotCount() {
        Confusion c = of(new int[][] {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 2}});
        assertThat(c.macroF1()).isCloseTo((0.8 + 0.5 + 2.0 / 3) / 3, within(1e-12));
        assertThat(c.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
    }

    /**
     * truth     0 0 5 5
     * predicted 0 0 0 0      class 5 is never predicted: precision 0, recall 0, F1 0 — and it counts.
     * class 0: P=2/4 R=1 F1=2/3; macro = (2/3 + 0)/2 = 1/3.
     */
    @Test
    void aClassNeverPredictedCountsWithF1Zero() {
        Confusion c = of(new int[][] {{0, 0}, {0, 0}, {5, 0}, {5, 0}});
        assertThat(c.macroF1()).isCloseTo(1.0 / 3, within(1e-12));
        ModelMetrics m = c.toModelMetrics("hand");
        assertThat(m.getPerClass().get(5).getPrecision()).isZero();
        assertThat(m.getPerClass().get(5).getRecall()).isZero();
        assertThat(m.getPerClass().get(5).getSupport()).isEqualTo(2);
        assertThat(m.getPerClass().get(0).getPrecision()).isEqualTo(0.5);
    }

    /**
     * truth     3 3
     * predicted 3 9      class 9 is absent from the truth but predicted: recall 0 (no support), F1 0, counts.
     * class 3: P=1 R=1/2 F1=2/3; macro = (2/3 + 0)/2.
     */
    @Test
    void aClassAbsentFromTheTruthButPredictedCountsWithF1Zero() {
        Confusion c = of(new int[][] {{3, 3}, {3, 9}});
        assertThat(c.macroF1()).isCloseTo(1.0 / 3, within(1e-12));
    }

    /**
     * Heads fold the 18 classes: class 0 = WORN/MALE/<30, 7 = INCORRECT/MALE/30-59, 16 = NONE/FEMALE/30-59.
     * truth 0 7 16, predicted 0 16 7 → mask: W→W, I→N, N→I: F1 W=1, I=0, N=0 → 1/3;
     * gender: M→M, M→F, F→M: M P=1/2 R=1/2 F1=.5, F P=0 R=0 → 0.25; age: <30→<30, 30-59→30-59 twice → 1.
     */
    @Test
    void headsAreScoredOnTheirOwnFoldedMatrices() {
        Confusion c = of(new int[][] {{0, 0}, {7, 16}, {16, 7}});
        assertThat(c.maskF1()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(c.genderF1()).isCloseTo(0.25, within(1e-12));
        assertThat(c.ageF1()).isEqualTo(1.0);
    }

    @Test
    void emptyMatrixScoresZeroAndExportsAFullMatrix() {
        ModelMetrics m = new Confusion().toModelMetrics("empty");
        assertThat(m.getMacroF1()).isZero();
        assertThat(m.getSamples()).isZero();
        assertThat(m.getConfusion()).hasSize(18).allSatisfy(row -> assertThat(row).hasSize(18));
        assertThat(m.getPerClass()).hasSize(18);
    }
}
