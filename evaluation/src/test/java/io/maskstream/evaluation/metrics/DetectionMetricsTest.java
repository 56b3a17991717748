package io.maskstream.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.maskstream.evaluation.metrics.DetectionMetrics.Counts;
import io.maskstream.evaluation.metrics.DetectionMetrics.Truth;
import io.maskstream.model.Box;
import io.maskstream.model.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionMetricsTest {

    @Test
    void twoImagesCountedByHand() {
        DetectionMetrics m = new DetectionMetrics();
        // Image A: the worn face found (IoU 90/110), then found again (a duplicate: FP), a box on nothing (FP);
        // the unmasked face missed (FN).
        int[] a = m.add(List.of(new Truth(new Box(0, 0, 10, 10), "worn"), new Truth(new Box(20, 0, 10, 10), "none")),
                List.of(new Detection(new Box(1, 0, 10, 10), 0.9f), new Detection(new Box(0, 0, 10, 10), 0.8f),
                        new Detection(new Box(50, 50, 10, 10), 0.7f)));
        // Image B: one worn face found at IoU 240/400 = 0.6.
        int[] b = m.add(List.of(new Truth(new Box(0, 0, 20, 20), "worn")),
                List.of(new Detection(new Box(0, 0, 20, 12), 0.6f)));

        assertThat(a).containsExactly(0, -1);
        assertThat(b).containsExactly(0);
        assertThat(m.counts()).isEqualTo(new Counts(2, 2, 1));
        assertThat(m.precision()).isEqualTo(0.5);
        assertThat(m.recall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.recall("worn")).isEqualTo(1.0);
        assertThat(m.recall("none")).isEqualTo(0.0);
        assertThat(m.recall("incorrect")).isEqualTo(0.0);
        assertThat(m.byKey()).containsOnlyKeys("none", "worn");
        assertThat(m.byKey().get("worn")).isEqualTo(new Counts(2, 0, 0));
        assertThat(m.byKey().get("none")).isEqualTo(new Counts(0, 0, 1));
        assertThat(m.images()).isEqualTo(2);
        // Ranked: .9 TP, .8 FP, .7 FP, .6 TP of 3 faces: precision 1, 1/2, 1/3, 1/2 at recall 1/3, 1/3, 1/3, 2/3;
        // interpolated 1, 1/2, 1/2, 1/2; AP = 1/3 * 1 + 1/3 * 1/2.
        assertThat(m.averagePrecision()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void theHigherScoreTakesTheFaceEvenWhenALowerOneFitsBetter() {
        List<Box> truth = List.of(new Box(0, 0, 10, 10));
        List<Detection> predictions = List.of(new Detection(new Box(0, 0, 10, 10), 0.5f),
                new Detection(new Box(3, 0, 10, 10), 0.9f)); // IoU 70/130 = 0.54

        assertThat(DetectionMetrics.matchTruths(truth, predictions)).containsExactly(1);
        DetectionMetrics m = new DetectionMetrics();
        m.addBoxes(truth, "face", predictions);
        assertThat(m.counts()).isEqualTo(new Counts(1, 1, 0));
    }

    @Test
    void aPredictionTakesTheUnmatchedFaceItOverlapsMost() {
        List<Box> truths = List.of(new Box(0, 0, 10, 10), new Box(4, 0, 10, 10));
        List<Detection> predictions = List.of(new Detection(new Box(3, 0, 10, 10), 0.9f), // IoU .54 with 0, .82 with 1
                new Detection(new Box(0, 0, 10, 10), 0.8f));

        assertThat(DetectionMetrics.matchTruths(truths, predictions)).containsExactly(1, 0);
    }

    @Test
    void anIouOfExactlyTheThresholdMatchesAndJustBelowDoesNot() {
        List<Box> truth = List.of(new Box(0, 0, 10, 10));

        assertThat(DetectionMetrics.matchTruths(truth, List.of(new Detection(new Box(0, 0, 10, 5), 0.9f))))
                .containsExactly(0);
        assertThat(DetectionMetrics.matchTruths(truth, List.of(new Detection(new Box(0, 0, 10, 4.9), 0.9f))))
                .containsExactly(-1);
        assertThat(DetectionMetrics.matchTruths(truth, List.of(new Detection(new Box(0, 0, 10, 4.9), 0.9f)), 0.4))
                .containsExactly(0);
    }

    @Test
    void aPerfectDetectorHasApOneAndAnEmptyOneApZero() {
        DetectionMetrics perfect = new DetectionMetrics();
        DetectionMetrics blind = new DetectionMetrics();
        for (int i = 0; i < 3; i++) {
            List<Box> faces = List.of(new Box(10 * i, 0, 8, 8), new Box(100, 10 * i, 20, 20));
            perfect.addBoxes(faces, "worn", List.of(new Detection(faces.get(1), 0.3f + i / 10f),
                    new Detection(faces.get(0), 0.9f)));
            blind.addBoxes(faces, "worn", List.of());
        }

        assertThat(perfect.averagePrecision()).isEqualTo(1.0);
        assertThat(perfect.precision()).isEqualTo(1.0);
        assertThat(perfect.recall("worn")).isEqualTo(1.0);
        assertThat(blind.averagePrecision()).isEqualTo(0.0);
        assertThat(blind.precision()).as("no predictions: 0, as Confusion defines it").isEqualTo(0.0);
        assertThat(blind.counts()).isEqualTo(new Counts(0, 0, 6));
    }

    @Test
    void framesWithoutFacesCountOnlyFalsePositivesAndApNeedsFaces() {
        DetectionMetrics m = new DetectionMetrics();
        m.add(List.of(), List.of(new Detection(new Box(0, 0, 5, 5), 0.7f)));
        m.add(List.of(), List.of());

        assertThat(m.counts()).isEqualTo(new Counts(0, 1, 0));
        assertThat(m.averagePrecision()).isNaN();
        assertThat(m.recall()).isZero();
    }

    @Test
    void apInterpolatesPrecisionFromTheRight() {
        // 4 faces in 4 images; ranked TP, FP, TP, FP, TP; one face never found.
        DetectionMetrics m = new DetectionMetrics();
        Box face = new Box(0, 0, 10, 10);
        Box elsewhere = new Box(50, 50, 10, 10);
        m.addBoxes(List.of(face), "k", List.of(new Detection(face, 0.95f), new Detection(elsewhere, 0.9f)));
        m.addBoxes(List.of(face), "k", List.of(new Detection(face, 0.8f), new Detection(elsewhere, 0.7f)));
        m.addBoxes(List.of(face), "k", List.of(new Detection(face, 0.6f)));
        m.addBoxes(List.of(face), "k", List.of());

        // precision 1, 1/2, 2/3, 2/4, 3/5 at recall 1/4, 1/4, 2/4, 2/4, 3/4; interpolated 1, 2/3, 2/3, 3/5, 3/5.
        assertThat(m.averagePrecision()).isCloseTo(0.25 * 1 + 0.25 * 2 / 3.0 + 0.25 * 3 / 5.0, within(1e-12));
        assertThat(m.toString()).contains("precision 0.600", "recall 0.750", "recall[k] 0.750 (3/4)", "TP 3, FP 2, FN 1");
    }
}
