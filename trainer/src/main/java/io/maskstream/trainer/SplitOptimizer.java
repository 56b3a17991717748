package io.maskstream.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import java.util.Set;

/**
 * Two optimizers behind one: the parameters named by id (an imported backbone's) go to one, every other parameter
 * (the heads') to the other, so pretrained features can move with a smaller learning rate than new heads. Each
 * parameter always goes to the same optimizer, so its update count and moments stay its own.
 */
final class SplitOptimizer extends Optimizer {

    private final Optimizer rest;
    private final Optimizer chosen;
    private final Set<String> chosenIds;

    /** {@code chosen} updates the parameters whose {@code Parameter.getId()} is in {@code chosenIds}, {@code rest} the others. */
    SplitOptimizer(Optimizer rest, Optimizer chosen, Set<String> chosenIds) {
        super(new Builder());
        this.rest = rest;
        this.chosen = chosen;
        this.chosenIds = Set.copyOf(chosenIds);
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        (chosenIds.contains(parameterId) ? chosen : rest).update(parameterId, weight, grad);
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
