package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputsTest {

    @Test
    void multiHeadProbabilitiesSumToOneAndClassesAreTheProductOfHeads() {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            NDList logits = new NDList(
                    manager.create(new float[] {0f, 3f, -1f, 2f, 2f, 2f}, new Shape(2, 3)),
                    manager.create(new float[] {1f, -1f, 0f, 5f}, new Shape(2, 2)),
                    manager.create(new float[] {-2f, 0f, 4f, 1f, 0f, 0f}, new Shape(2, 3)));

            List<Prediction> predictions = Outputs.toPredictions(logits, HeadLayout.MULTI_HEAD);

            assertThat(predictions).hasSize(2);
            for (Prediction p : predictions) {
                assertSumsToOne(p);
                for (int c = 0; c < 18; c++) {
                    float product = p.mask()[c / 6] * p.gender()[(c / 3) % 2] * p.age()[c % 3];
                    assertThat(p.classes()[c]).isCloseTo(product, within(1e-7f));
                }
                assertThat(p.classCode()).isEqualTo(LabelCodec.classCode(p.maskLabel(), p.genderLabel(), p.ageLabel()));
            }
            Prediction first = predictions.get(0);
            assertThat(first.maskLabel()).isEqualTo(MaskLabel.INCORRECT);
            assertThat(first.genderLabel()).isEqualTo(GenderLabel.MALE);
            assertThat(first.ageLabel()).isEqualTo(AgeLabel.FROM_60);
            assertThat(first.mask()[1]).isCloseTo((float) (Math.exp(3) / (1 + Math.exp(3) + Math.exp(-1))), within(1e-6f));
        }
    }

    @Test
    void single18IsOneSoftmaxAndItsHeadsAreMarginals() {
        float[] logits = new float[18];
        logits[LabelCodec.classCode(MaskLabel.NONE, GenderLabel.FEMALE, AgeLabel.FROM_30_TO_59)] = 4f;
        logits[2] = 1f;
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Prediction p = Outputs.toPredictions(new NDList(manager.create(logits, new Shape(1, 18))), HeadLayout.SINGLE_18).get(0);

            assertSumsToOne(p);
            assertThat(p.classCode()).isEqualTo(16);
            assertThat(p.maskLabel()).isEqualTo(MaskLabel.NONE);
            float none = 0;
            for (int c = 12; c < 18; c++) {
                none += p.classes()[c];
            }
            assertThat(p.mask()[2]).isCloseTo(none, within(1e-6f));
        }
    }

    @Test
    void averagingKeepsEachLayoutsInvariant() {
        Prediction a = Outputs.fromHeads(new float[] {0.7f, 0.2f, 0.1f}, new float[] {0.4f, 0.6f}, new float[] {0.1f, 0.1f, 0.8f});
        Prediction b = Outputs.fromHeads(new float[] {0.1f, 0.2f, 0.7f}, new float[] {0.8f, 0.2f}, new float[] {0.3f, 0.3f, 0.4f});

        Prediction mean = Outputs.average(a, b, HeadLayout.MULTI_HEAD);

        assertThat(mean.mask()).containsExactly(new float[] {0.4f, 0.2f, 0.4f}, within(1e-6f));
        assertSumsToOne(mean);
        assertThat(mean.classes()[0]).isCloseTo(0.4f * 0.6f * 0.2f, within(1e-6f));
    }

    @Test
    void wrongShapesAreRefused() {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            NDList fourMaskClasses = new NDList(manager.zeros(new Shape(1, 4)), manager.zeros(new Shape(1, 2)),
                    manager.zeros(new Shape(1, 3)));
            assertThatThrownBy(() -> Outputs.toPredictions(fourMaskClasses, HeadLayout.MULTI_HEAD))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[N,3]");
            assertThatThrownBy(() -> Outputs.toPredictions(new NDList(manager.zeros(new Shape(1, 18))), HeadLayout.MULTI_HEAD))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void assertSumsToOne(Prediction p) {
        for (float[] v : new float[][] {p.mask(), p.gender(), p.age(), p.classes()}) {
            float sum = 0;
            for (float x : v) {
                assertThat(x).isBetween(0f, 1f);
                sum += x;
            }
            assertThat(sum).isCloseTo(1f, within(1e-5f));
        }
    }
}
