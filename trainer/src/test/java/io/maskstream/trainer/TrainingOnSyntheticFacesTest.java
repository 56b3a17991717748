package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.maskstream.model.Architectures;
import io.maskstream.model.Classifier;
import io.maskstream.model.Compute;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.ImportedBackbone;
import io.maskstream.model.InputSpec;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.TestBackbones;
import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
        assertThat(bundle.metadata().trainingSummary()).containsKeys("recipe", "bestEpoch", "holdoutMacroF1",
                ModelTrainer.HOLDOUT_ECE_KEY, ModelTrainer.HOLDOUT_ECE_MC_KEY);
        try (Classifier served = Classifier.load(bundle, new ComputeSettings("auto", 1, 1))) {
            double f1 = ModelTrainer.evaluate(served, split.holdout(), true, 32).macroF1();
            assertThat(f1).isCloseTo(result.holdout().getMacroF1(), org.assertj.core.api.Assertions.within(1e-6));
        }
    }

    /**
     * An imported TorchScript backbone (the tiny random-weight one the model module's tests ship) fine-tunes: three
     * epochs on a small set, the loss falls, the module's weights move (the bundle's module is not the file), and the
     * served bundle scores the holdout as the trainer's own model did.
     */
    @Test
    void anImportedBackboneFineTunesAndItsBundleServesAsTheTrainersModel(@TempDir Path dir) throws Exception {
        Path file = TestBackbones.copy(TestBackbones.NCHW, dir);
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.BACKBONE, file.toString(),
                TrainerConfig.BACKBONE_INPUT, "48x64", TrainerConfig.EPOCHS, "3", TrainerConfig.PATIENCE, "3",
                TrainerConfig.AUGMENT, "false", TrainerConfig.BATCH_SIZE, "16", TrainerConfig.OUTPUT_DIR, dir.toString())));
        ModelTrainer trainer = new ModelTrainer(config);
        List<Sample> samples = SyntheticSamples.of(40, 5, trainer.preprocessor());
        PersonSplit split = PersonSplit.of(samples, 0.25, 3);

        ModelTrainer.Result result = trainer.train(split, "ts-train", "synthetic");

        System.out.printf("imported backbone: losses %s, holdout macro-F1 %.4f, %.1f s/epoch%n", result.history().stream()
                .map(e -> String.format("%.4f", e.loss())).toList(), result.holdout().getMacroF1(), result.secondsPerEpoch());
        assertThat(result.history().get(result.history().size() - 1).loss()).as("training loss, last epoch vs first")
                .isLessThan(result.history().get(0).loss());
        ModelBundle bundle = ModelBundle.read(result.bundle().toBytes());
        assertThat(bundle.metadata().architecture()).isEqualTo(Architectures.TORCHSCRIPT);
        assertThat(bundle.metadata().input().width()).isEqualTo(48);
        assertThat(bundle.metadata().backbone().name()).isEqualTo(TestBackbones.NCHW);
        assertThat(bundle.metadata().backbone().sha256()).as("the module was fine-tuned")
                .isNotEqualTo(bundle.metadata().backbone().sourceSha256());
        assertThat(bundle.metadata().trainingSummary().get("recipe")).contains("torchscript tiny-nchw.pt 48x64");
        try (Classifier served = Classifier.load(bundle, new ComputeSettings("auto", 1, 1))) {
            double f1 = ModelTrainer.evaluate(served, split.holdout(), true, 16).macroF1();
            assertThat(f1).isCloseTo(result.holdout().getMacroF1(), org.assertj.core.api.Assertions.within(1e-6));
        }
        assertThat(largestChange(file, bundle, dir)).as("the module's parameters were trained").isGreaterThan(1e-4f);

        // trainer.backbone.lr.factor=0 freezes them: only the heads (and batch-norm statistics) change
        Map<String, String> frozen = new HashMap<>(Map.of(TrainerConfig.BACKBONE, file.toString(),
                TrainerConfig.BACKBONE_INPUT, "48x64", TrainerConfig.EPOCHS, "1", TrainerConfig.AUGMENT, "false",
                TrainerConfig.BATCH_SIZE, "16", TrainerConfig.OUTPUT_DIR, dir.toString()));
        frozen.put(TrainerConfig.BACKBONE_LR_FACTOR, "0");
        ModelBundle heads = new ModelTrainer(new TrainerConfig(ConfigSource.of(frozen))).train(split, "ts-frozen",
                "synthetic").bundle();
        assertThat(largestChange(file, heads, dir)).as("a frozen backbone's parameters").isZero();
    }

    /** The largest absolute difference between a parameter of the file's module and the bundle's fine-tuned one. */
    private static float largestChange(Path file, ModelBundle bundle, Path dir) throws Exception {
        Path tuned = Files.write(dir.resolve("tuned-" + bundle.metadata().version() + ".pt"),
                bundle.backboneModule().orElseThrow());
        InputSpec input = bundle.metadata().input();
        try (NDManager manager = Compute.engine().newBaseManager()) {
            List<Parameter> before = ImportedBackbone.moduleParameters(
                    ImportedBackbone.read(file).network(bundle.metadata().heads(), input, manager));
            List<Parameter> after = ImportedBackbone.moduleParameters(
                    ImportedBackbone.read(tuned).network(bundle.metadata().heads(), input, manager));
            assertThat(after).hasSameSizeAs(before).isNotEmpty();
            float largest = 0;
            for (int i = 0; i < before.size(); i++) {
                largest = Math.max(largest, before.get(i).getArray().sub(after.get(i).getArray()).abs().max().getFloat());
            }
            return largest;
        }
    }

    @Test
    void aBackboneThatGivesNoFeaturesIsRefusedNamingTheKeyTheFileAndTheShape(@TempDir Path dir) throws Exception {
        Path rank3 = TestBackbones.copy(TestBackbones.RANK3, dir);
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.BACKBONE, rank3.toString(),
                TrainerConfig.BACKBONE_INPUT, "48x64", TrainerConfig.EPOCHS, "1", TrainerConfig.OUTPUT_DIR, dir.toString())));
        ModelTrainer trainer = new ModelTrainer(config);
        PersonSplit split = PersonSplit.of(SyntheticSamples.of(12, 5, trainer.preprocessor()), 0.25, 3);

        assertThatThrownBy(() -> trainer.train(split, "ts-bad", "synthetic")).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("trainer.backbone=" + TestBackbones.RANK3 + " with trainer.backbone.input=48x64")
                .hasMessageContaining(rank3 + " returns (2, 16, 192)")
                .hasMessageContaining("the heads need one tensor of features [N, C] or [N, C, h, w]");
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.BACKBONE,
                dir.resolve("absent.pt").toString())))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("trainer.backbone").hasMessageContaining("absent.pt");
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.BACKBONE_INPUT, "256"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("trainer.backbone.input");
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
