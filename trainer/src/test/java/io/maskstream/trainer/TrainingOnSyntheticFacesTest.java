package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.config.ConfigSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real training on CPU: a small synthetic dataset where the classes are visible in the pictures, a few epochs
 * of fastnet with the default recipe. The model must learn: holdout macro-F1 far above chance (about 0.05 for 18
 * classes with these frequencies).
 */
class TrainingOnSyntheticFacesTest {

    @Test
    void trainingReachesAHoldoutMacroF1FarAboveChance(@TempDir Path dir) throws Exception {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.EPOCHS, "12",
                TrainerConfig.PATIENCE, "12", TrainerConfig.OUTPUT_DIR, dir.toString())));
        ModelTrainer trainer = new ModelTrainer(config);
        List<Sample> samples = SyntheticSamples.of(130, 21, trainer.preprocessor());
        PersonSplit split = PersonSplit.of(samples, 0.25, 3);

        ModelTrainer.Result result = trainer.train(split, "test-train", "synthetic");

        System.out.printf("holdout macro-F1 %.4f, accuracy %.4f, mask F1 %.4f, %.1f s/epoch%n",
                result.holdout().getMacroF1(), result.holdout().getAccuracy(), result.holdout().getMaskF1(),
                result.secondsPerEpoch());
        assertThat(result.holdout().getMacroF1()).as("18-class holdout macro-F1").isGreaterThan(0.15);
        assertThat(result.holdout().getMaskF1()).as("mask head macro-F1").isGreaterThan(0.5);
        assertThat(result.holdout().getSamples()).isEqualTo(split.holdout().size());

        // the released bundle is the best epoch, and loads for serving with the same holdout score
        ModelBundle bundle = ModelBundle.read(result.bundle().toBytes());
        assertThat(bundle.metadata().trainingSummary()).containsKeys("recipe", "bestEpoch", "holdoutMacroF1");
        try (Classifier served = Classifier.load(bundle, new ComputeSettings("auto", 1, 1))) {
            double f1 = ModelTrainer.evaluate(served, split.holdout(), true, 32).macroF1();
            assertThat(f1).isCloseTo(result.holdout().getMacroF1(), org.assertj.core.api.Assertions.within(1e-6));
        }
    }

    /**
     * The mask-conditional age model, at an input size other than the architecture's, trains like the others and serves
     * at its bundle's input with the score it had in training.
     */
    @Test
    void maskConditionalAgeAtAnotherInputSizeTrainsOnTinyDataAndServesItsHoldoutScore(@TempDir Path dir) throws Exception {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.EPOCHS, "3",
                TrainerConfig.PATIENCE, "3", TrainerConfig.HEADS, "MASK_CONDITIONAL_AGE", TrainerConfig.INPUT_SIZE, "72x96",
                TrainerConfig.OUTPUT_DIR, dir.toString())));
        ModelTrainer trainer = new ModelTrainer(config);
        List<Sample> samples = SyntheticSamples.of(30, 21, trainer.preprocessor());
        PersonSplit split = PersonSplit.of(samples, 0.25, 3);

        ModelTrainer.Result result = trainer.train(split, "test-mca", "synthetic");

        assertThat(result.history()).hasSize(3);
        assertThat(result.history().get(2).loss()).as("training loss falls").isLessThan(result.history().get(0).loss());
        ModelBundle bundle = ModelBundle.read(result.bundle().toBytes());
        assertThat(bundle.metadata().heads()).isEqualTo(io.maskstream.model.HeadLayout.MASK_CONDITIONAL_AGE);
        assertThat(bundle.metadata().input()).isEqualTo(io.maskstream.model.InputSpec.imagenet(72, 96));
        try (Classifier served = Classifier.load(bundle, new ComputeSettings("auto", 1, 1))) {
            assertThat(served.preprocessor().spec().width()).isEqualTo(72);
            double f1 = ModelTrainer.evaluate(served, split.holdout(), true, 32).macroF1();
            assertThat(f1).isCloseTo(result.holdout().getMacroF1(), org.assertj.core.api.Assertions.within(1e-6));
        }
    }
}
