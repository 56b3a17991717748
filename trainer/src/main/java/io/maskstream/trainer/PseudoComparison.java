package io.maskstream.trainer;

import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.model.Classifier;
import java.util.List;

/**
 * The configured recipe trained twice on the same labeled data and the same gate set and person-disjoint holdout:
 * without pseudo-labels and with them ({@code train --compare-pseudo}); nothing is published. What it measures is
 * whether the stream's confident answers help, on a holdout neither run saw.
 */
public final class PseudoComparison {

    /** Both runs, the split they shared (labeled only) and what the pseudo-label join selected. */
    public record Result(ModelTrainer.Result without, ModelTrainer.Result with, PersonSplit labeled,
                         PromotionGate.Sets gate, PseudoLabels.Selection pseudo, Confusion withoutOnGate,
                         Confusion withOnGate) {
    }

    private PseudoComparison() {
    }

    /** @param selected told what the join selected, before the two trainings */
    public static Result run(TrainerConfig config, List<Sample> samples, String data,
                             java.util.function.Consumer<PseudoLabels.Selection> selected) throws Exception {
        PromotionGate.Sets gate = PromotionGate.split(samples, config.getDouble(TrainerConfig.GATE_FRACTION));
        PersonSplit split = PersonSplit.of(gate.rest(), config.getDouble(TrainerConfig.HOLDOUT_FRACTION),
                config.getLong(TrainerConfig.SEED));
        ModelTrainer trainer = new ModelTrainer(config);
        PseudoLabels.Selection pseudo = new PseudoLabels(config).select(samples, split.train().size(), trainer.preprocessor());
        selected.accept(pseudo);
        ModelTrainer.Result without = trainer.train(split, "compare-labeled-only", data);
        ModelTrainer.Result with = trainer.train(PseudoLabels.trainingSide(split, pseudo.samples()), "compare-pseudo",
                data + "; " + pseudo.describe());
        return new Result(without, with, split, gate, pseudo, onGate(config, without, gate.gate()),
                onGate(config, with, gate.gate()));
    }

    /**
     * The model's confusion on the gate set (null when it is empty): persons that picked no epoch for either run, so
     * the fairer of the two figures.
     */
    private static Confusion onGate(TrainerConfig config, ModelTrainer.Result r, List<Sample> gate) throws Exception {
        if (gate.isEmpty()) {
            return null;
        }
        try (Classifier c = Classifier.load(r.bundle(), config.computeSettings())) {
            return ModelTrainer.evaluate(c, gate, config.getBoolean(TrainerConfig.TTA),
                    config.getInt(TrainerConfig.BATCH_SIZE));
        }
    }
}
