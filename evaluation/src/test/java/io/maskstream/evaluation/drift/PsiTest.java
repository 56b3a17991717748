package io.maskstream.evaluation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The PSI formula on hand-made distributions. */
class PsiTest {

    @Test
    void identicalSharesGiveZero() {
        double[] e = {0.2, 0.3, 0.5};
        assertThat(Psi.of(e, e)).isZero();
        assertThat(Psi.of(new int[] {200, 300, 500}, Psi.shares(new int[] {20_000, 30_000, 50_000}))).isCloseTo(0.0, within(1e-4));
    }

    @Test
    void matchesTheFormulaWorkedByHand() {
        // (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5) = 0.25 ln 2 + 0.25 ln 1.5 = 0.27465
        assertThat(Psi.of(new double[] {0.25, 0.75}, new double[] {0.5, 0.5})).isCloseTo(0.27465, within(1e-5));
        // 90/10 against 50/50: 0.4 ln 1.8 + (-0.4) ln 0.2 = 0.23512 + 0.64378 = 0.87889
        assertThat(Psi.of(new double[] {0.9, 0.1}, new double[] {0.5, 0.5})).isCloseTo(0.87889, within(1e-5));
    }

    @Test
    void isSymmetricAndNeverNegative() {
        double[] a = {0.1, 0.6, 0.3};
        double[] b = {0.4, 0.4, 0.2};
        assertThat(Psi.of(a, b)).isPositive().isCloseTo(Psi.of(b, a), within(1e-12));
    }

    @Test
    void smoothingKeepsAnEmptyBinFiniteAndCountsHalfACount() {
        double[] shares = Psi.shares(new int[] {0, 10});
        assertThat(shares).containsExactly(0.5 / 11, 10.5 / 11);
        double psi = Psi.of(new int[] {0, 100}, Psi.shares(new int[] {50, 50}));
        assertThat(psi).isFinite().isGreaterThan(2.0); // all in one bin against half-half: a large shift, not infinity
        assertThatThrownBy(() -> Psi.of(new double[] {0.0, 1.0}, new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smooth");
    }

    @Test
    void refusesHistogramsOfDifferentBins() {
        assertThatThrownBy(() -> Psi.of(new int[] {1, 2, 3}, new double[] {0.5, 0.5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 live, 2 reference");
    }
}
