package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.evaluation.metrics.DetectionMetrics;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.DetectorSettings;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.TrainedFaceDetector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The training machinery on stand-in scenes (ellipse faces, {@link EllipseScenes}), quickly: the loss falls, the
 * detector starts finding faces, and the bundle it returns serves exactly what validation measured. How well the
 * detector does on real-looking scenes is {@code DetectorFindsMaskedAndBareFacesInSyntheticScenesTest}'s question.
 */
class DetectorTrainerTest {

    @Test
    void learnsStandInFacesAndShipsABundleThatServesWhatValidationMeasured() throws Exception {
        List<LabeledScene> train = EllipseScenes.of(240, 1);
        List<LabeledScene> validation = EllipseScenes.of(40, 2);
        DetectorTrainer trainer = new DetectorTrainer(DetectorTrainer.Options.defaults(7).withEpochs(5));

        DetectorTrainer.Result result = trainer.train(train, validation, "gridnet-ellipses");

        List<DetectorTrainer.Epoch> history = result.history();
        assertThat(history).hasSize(5);
        assertThat(history.get(4).loss()).isLessThan(history.get(0).loss() * 0.7);
        assertThat(result.validation().recall()).as("recall after 5 short epochs").isGreaterThan(0.3);
        ModelBundle bundle = ModelBundle.read(result.bundle().toBytes());
        assertThat(bundle.metadata().trainingSummary()).containsEntry("trainFrames", "240").containsKey("validation")
                .containsEntry(DetectorTrainer.MIN_SCORE_KEY, String.format(java.util.Locale.ROOT, "%.2f", result.minScore()));
        assertThat(result.minScore()).isBetween(0.1, 0.9);
        DetectionMetrics served = DetectorTrainer.evaluate(TrainedFaceDetector.load(bundle, ComputeSettings.defaults(),
                DetectorSettings.defaults()), validation, 16);
        assertThat(served.counts()).isEqualTo(result.validation().counts());
        assertThat(served.averagePrecision()).isEqualTo(result.validation().averagePrecision());
    }

    @Test
    void theSameSeedTrainsTheSameDetector() throws Exception {
        List<LabeledScene> train = EllipseScenes.of(32, 3);
        DetectorTrainer.Options options = DetectorTrainer.Options.defaults(11).withEpochs(1);

        ModelBundle first = new DetectorTrainer(options).train(train, List.of(), "a").bundle();
        ModelBundle second = new DetectorTrainer(options).train(train, List.of(), "a").bundle();

        assertThat(second.metadata().weightsSha256()).isEqualTo(first.metadata().weightsSha256());
    }

    @Test
    void nothingToTrainOnIsRefused() {
        assertThatThrownBy(() -> new DetectorTrainer(DetectorTrainer.Options.defaults(1)).train(List.of(), List.of(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no scenes");
    }
}
