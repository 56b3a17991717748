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

    @Test
    void maskConditionalAgeClassesAreTheJointAndItsAnswerIsTheJointArgmaxNotTheHeadsArgmaxes() {
        // P(mask) = worn .5, incorrect .1, none .4; gender male .3, female .7;
        // age of a masked face <30 .4, 30-59 .35, >=60 .25; of an unmasked one .02, .03, .95
        float[][] p = {{0.5f, 0.1f, 0.4f}, {0.3f, 0.7f}, {0.4f, 0.35f, 0.25f}, {0.02f, 0.03f, 0.95f}};
        try (NDManager manager = Compute.engine().newBaseManager()) {
            NDList logits = new NDList();
            for (float[] head : p) {
                float[] log = new float[head.length];
                for (int i = 0; i < head.length; i++) {
                    log[i] = (float) Math.log(head[i]) + 1.5f; // softmax is shift-invariant
                }
                logits.add(manager.create(log, new Shape(1, head.length)));
            }

            Prediction pr = Outputs.toPredictions(logits, HeadLayout.MASK_CONDITIONAL_AGE).get(0);

            assertSumsToOne(pr);
            for (int c = 0; c < 18; c++) {
                int m = c / 6;
                float[] age = m == 0 ? p[2] : p[3]; // only a mask worn properly counts as masked
                assertThat(pr.classes()[c]).as("class %d", c).isCloseTo(p[0][m] * p[1][(c / 3) % 2] * age[c % 3],
                        within(1e-6f));
            }
            assertThat(pr.mask()).containsExactly(p[0], within(1e-6f));
            assertThat(pr.gender()).containsExactly(p[1], within(1e-6f));
            // age is the mixture: P(worn)·P(a|masked) + (P(incorrect)+P(none))·P(a|unmasked)
            assertThat(pr.age()).containsExactly(new float[] {0.5f * 0.4f + 0.5f * 0.02f, 0.5f * 0.35f + 0.5f * 0.03f,
                0.5f * 0.25f + 0.5f * 0.95f}, within(1e-6f));
            // the heads' argmaxes say worn, female, >=60 (p = .5·.7·.6 in a product of marginals), but the joint says
            // unmasked: .4·.7·.95 = .266 beats worn's best .5·.7·.4 = .14
            assertThat(pr.maskLabel()).isEqualTo(MaskLabel.WORN);
            assertThat(pr.classCode()).isEqualTo(LabelCodec.classCode(MaskLabel.NONE, GenderLabel.FEMALE, AgeLabel.FROM_60));
            assertThat(pr.classes()[pr.classCode()]).isCloseTo(0.4f * 0.7f * 0.95f, within(1e-6f));
        }
    }

    @Test
    void maskConditionalAgeOfASurelyMaskedFaceIsItsMaskedAgeHeadAndFlipAveragingKeepsTheJoint() {
        Prediction masked = Outputs.fromMaskConditionalAge(new float[] {1f, 0f, 0f}, new float[] {1f, 0f},
                new float[] {0.1f, 0.8f, 0.1f}, new float[] {0.9f, 0.05f, 0.05f});
        assertThat(masked.age()).containsExactly(new float[] {0.1f, 0.8f, 0.1f}, within(1e-7f));
        assertThat(masked.classCode()).isEqualTo(LabelCodec.classCode(MaskLabel.WORN, GenderLabel.MALE,
                AgeLabel.FROM_30_TO_59));
        Prediction unmasked = Outputs.fromMaskConditionalAge(new float[] {0f, 1f, 0f}, new float[] {1f, 0f},
                new float[] {0.1f, 0.8f, 0.1f}, new float[] {0.9f, 0.05f, 0.05f});
        assertThat(unmasked.age()).as("incorrectly worn: the unmasked age head").containsExactly(
                new float[] {0.9f, 0.05f, 0.05f}, within(1e-7f));

        Prediction mean = Outputs.average(masked, unmasked, HeadLayout.MASK_CONDITIONAL_AGE);

        assertSumsToOne(mean);
        assertThat(mean.mask()).containsExactly(new float[] {0.5f, 0.5f, 0f}, within(1e-6f));
        assertThat(mean.age()).containsExactly(new float[] {0.5f, 0.425f, 0.075f}, within(1e-6f));
        assertThat(mean.classes()[LabelCodec.classCode(MaskLabel.INCORRECT, GenderLabel.MALE, AgeLabel.UNDER_30)])
                .isCloseTo(0.45f, within(1e-6f));
    }

    @Test
    void maskConditionalAgeNeedsFourOutputs() {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            NDList threeHeads = new NDList(manager.zeros(new Shape(1, 3)), manager.zeros(new Shape(1, 2)),
                    manager.zeros(new Shape(1, 3)));
            assertThatThrownBy(() -> Outputs.toPredictions(threeHeads, HeadLayout.MASK_CONDITIONAL_AGE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MASK_CONDITIONAL_AGE needs 4 output(s)");
            threeHeads.add(manager.zeros(new Shape(1, 2)));
            assertThatThrownBy(() -> Outputs.toPredictions(threeHeads, HeadLayout.MASK_CONDITIONAL_AGE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output 3 must be [N,3]");
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
