package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.model.EnsembleVote;
import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.McDropout;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.Prediction;
import io.maskstream.runtime.config.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.maskstream.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingJobTest {

    /** {@code train --no-publish}: no broker needed, and the model is not thrown away. */
    @Test
    void withoutPublishingTheTrainedBundleIsStillWrittenToTheOutputDirectory(@TempDir Path dir) throws Exception {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.EPOCHS, "1",
                TrainerConfig.OUTPUT_DIR, dir.resolve("models").toString(), "bootstrap.servers", "127.0.0.1:1")));
        TrainingJob job = new TrainingJob(config);
        List<Sample> samples = SyntheticSamples.of(40, 5, new ModelTrainer(config).preprocessor());

        TrainingJob.Outcome outcome = job.run(samples, "synthetic", false, false);

        assertThat(outcome.release()).isNull();
        assertThat(outcome.bundleFile()).isRegularFile().hasParent(dir.resolve("models"));
        assertThat(ModelBundle.read(outcome.bundleFile()).metadata().version())
                .isEqualTo(outcome.result().bundle().metadata().version());
        assertThat(Files.size(outcome.bundleFile())).isEqualTo(outcome.result().bundle().toBytes().length);
    }

    /** {@code train --ensemble 2 --ensemble-by fold --vote hard --no-publish}: one ensemble bundle holding both members. */
    @Test
    void anOutOfFoldEnsembleIsWrittenAsOneBundleHoldingEveryMemberScoredOnTheSameHoldout(@TempDir Path dir)
            throws Exception {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.EPOCHS, "1",
                TrainerConfig.OUTPUT_DIR, dir.resolve("models").toString(), "bootstrap.servers", "127.0.0.1:1",
                TrainerConfig.ENSEMBLE_MEMBERS, "2", TrainerConfig.ENSEMBLE_BY, "fold", TrainerConfig.ENSEMBLE_VOTE, "hard")));
        List<Sample> samples = SyntheticSamples.of(30, 5, new ModelTrainer(config).preprocessor());

        TrainingJob.Outcome outcome = new TrainingJob(config).run(samples, "synthetic", false, false);

        EnsembleTraining.Result e = outcome.ensemble();
        assertThat(e.members()).extracting(EnsembleTraining.Member::fold).containsExactly(0, 1);
        ModelBundle read = ModelBundle.read(outcome.bundleFile());
        assertThat(read.isEnsemble()).isTrue();
        assertThat(read.vote()).contains(EnsembleVote.HARD);
        assertThat(read.members()).extracting(ModelBundle::sha256)
                .containsExactlyElementsOf(e.members().stream().map(m -> m.result().bundle().sha256()).toList());
        assertThat(e.holdout().total()).as("members and ensemble on the same photos")
                .isEqualTo(e.members().get(0).holdout().total()).isEqualTo(e.members().get(1).holdout().total());
        assertThat(e.gate().total()).isEqualTo(outcome.gate().gate().size());
        assertThat(outcome.result().holdout().getMacroF1()).isEqualTo(e.holdout().macroF1());
        assertThat(e.holdoutDescription()).contains("no member trained or early-stopped on");
    }

    @Test
    void badEnsembleSettingsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.ENSEMBLE_ARCHITECTURES,
                "fastnet,efficientnet")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(TrainerConfig.ENSEMBLE_ARCHITECTURES).hasMessageContaining("efficientnet");
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.ENSEMBLE_BY, "bagging"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TrainerConfig.ENSEMBLE_BY);
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.ENSEMBLE_MEMBERS, "17"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TrainerConfig.ENSEMBLE_MEMBERS);
        TrainerConfig one = new TrainerConfig(ConfigSource.of(Map.of()));
        assertThatThrownBy(() -> EnsembleTraining.train(one, List.of(), List.of(), "e", "none"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TrainerConfig.ENSEMBLE_MEMBERS + " is 1");
    }

    /**
     * trainer.dropout: the same seed trains other weights with it (dropout is on in training), the bundle records the
     * rate and the holdout calibration, and it loads and serves MC-dropout like any bundle.
     */
    @Test
    void trainingWithFeatureDropoutRecordsItsRateAndHoldoutCalibration(@TempDir Path dir) throws Exception {
        Map<String, String> settings = Map.of(TrainerConfig.EPOCHS, "1", TrainerConfig.OUTPUT_DIR, dir.toString(),
                TrainerConfig.AUGMENT, "false");
        TrainerConfig plain = new TrainerConfig(ConfigSource.of(settings));
        Map<String, String> withDropout = new java.util.HashMap<>(settings);
        withDropout.put(TrainerConfig.DROPOUT, "0.5");
        TrainerConfig dropped = new TrainerConfig(ConfigSource.of(withDropout));
        List<Sample> samples = SyntheticSamples.of(30, 5, new ModelTrainer(plain).preprocessor());
        PersonSplit split = PersonSplit.of(samples, 0.25, 3);

        ModelBundle a = new ModelTrainer(plain).train(split, "no-dropout", "synthetic").bundle();
        ModelBundle b = new ModelTrainer(dropped).train(split, "dropout", "synthetic").bundle();

        assertThat(b.sha256()).as("dropout changed what was learned").isNotEqualTo(a.sha256());
        Map<String, String> summary = b.metadata().trainingSummary();
        assertThat(summary).containsEntry(ModelTrainer.DROPOUT_KEY, "0.5");
        assertThat(a.metadata().trainingSummary()).doesNotContainKey(ModelTrainer.DROPOUT_KEY);
        assertThat(Double.parseDouble(summary.get(ModelTrainer.HOLDOUT_ECE_KEY))).isBetween(0.0, 1.0);
        assertThat(summary.get(ModelTrainer.HOLDOUT_ECE_MC_KEY)).endsWith("(8 passes at rate 0.5)");
        assertThat(summary.get("recipe")).endsWith(", dropout 0.5");
        try (Classifier served = Classifier.load(ModelBundle.read(b.toBytes()), new ComputeSettings("auto", 1, 1))) {
            Prediction p = served.classify(List.of(split.holdout().get(0).image()), false, new McDropout(4, 0.5, 1)).get(0);
            assertThat(p.uncertainty().passes()).isEqualTo(4);
        }
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.DROPOUT, "0.95"))))
                .hasMessageContaining(TrainerConfig.DROPOUT);
    }
}
