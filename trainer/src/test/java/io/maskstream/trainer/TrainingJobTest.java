package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.config.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
}
