package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.maskstream.model.Compute;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitOptimizerTest {

    @Test
    void theChosenParametersStepWithTheirOwnLearningRateAndTheRestWithTheOther() {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            NDArray backbone = manager.ones(new ai.djl.ndarray.types.Shape(3));
            NDArray head = manager.ones(new ai.djl.ndarray.types.Shape(3));
            Optimizer split = new SplitOptimizer(sgd(0.1f), sgd(0.01f), Set.of("backbone-weight"));

            split.update("backbone-weight", backbone, manager.ones(backbone.getShape()));
            split.update("head-weight", head, manager.ones(head.getShape()));

            assertThat(backbone.toFloatArray()).containsOnly(0.99f);
            assertThat(head.toFloatArray()).containsOnly(0.9f);
        }
    }

    private static Optimizer sgd(float lr) {
        return Optimizer.sgd().setLearningRateTracker(Tracker.fixed(lr)).build();
    }
}
