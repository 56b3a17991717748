package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.model.EnsembleVote;
import io.maskstream.model.ModelBundle;
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
}
