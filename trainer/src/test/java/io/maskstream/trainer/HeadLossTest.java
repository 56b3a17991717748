package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.maskstream.model.AgeBands;
import io.maskstream.model.Compute;
import io.maskstream.model.ComputeSettings;
import io.maskstream.runtime.config.ConfigSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadLossTest {

    /**
     * The mask-conditional labels give each age head weight 1 on its own faces and 0 on the others, so the age head for
     * masked faces is not changed by what it says about an unmasked face (and the other way round).
     */
    @Test
    void eachMaskConditionalAgeHeadLearnsOnlyFromItsOwnFaces() {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of()));
        List<Sample> all = SyntheticSamples.of(1, 4, new ModelTrainer(config).preprocessor());
        List<Sample> faces = List.of(all.get(0), all.get(5), all.get(6)); // worn, incorrect, none
        HeadLoss loss = new HeadLoss("test", null, 0.05f, 2f);
        try (NDManager manager = Compute.engine(new ComputeSettings("cpu", 1, 1)).newBaseManager()) {
            NDList labels = ModelTrainer.maskConditionalLabels(manager, faces, AgeBands.parse("30,60"));
            assertThat(labels).hasSize(8);
            assertThat(labels.get(6).toFloatArray()).as("masked-age weights").containsExactly(1f, 0f, 0f);
            assertThat(labels.get(7).toFloatArray()).as("unmasked-age weights").containsExactly(0f, 1f, 1f);

            float base = loss.evaluate(labels, outputs(manager, 0f, 0f)).getFloat();
            float maskedHeadOnUnmaskedFaces = loss.evaluate(labels, outputs(manager, 0f, 5f)).getFloat();
            float maskedHeadOnItsFace = loss.evaluate(labels, outputs(manager, 5f, 0f)).getFloat();

            assertThat(maskedHeadOnUnmaskedFaces).isCloseTo(base, within(1e-6f));
            assertThat(maskedHeadOnItsFace).isNotCloseTo(base, within(1e-3f));
            assertThatThrownBy(() -> loss.evaluate(new NDList(labels.get(0), labels.get(1), labels.get(2)),
                    outputs(manager, 0f, 0f))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs 4 targets");
        }
    }

    /** Four heads' logits for three faces; the masked-age head's logit of class 0 raised on face 0 and on faces 1-2. */
    private static NDList outputs(NDManager manager, float onFace0, float onFaces12) {
        float[] ageMasked = new float[9];
        ageMasked[0] = onFace0;
        ageMasked[3] = onFaces12;
        ageMasked[6] = onFaces12;
        return new NDList(manager.create(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, new Shape(3, 3)),
                manager.create(new float[] {1, 0, 0, 1, 1, 0}, new Shape(3, 2)),
                manager.create(ageMasked, new Shape(3, 3)),
                manager.create(new float[] {0, 1, 0, 0, 1, 0, 0, 1, 0}, new Shape(3, 3)));
    }
}
