package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.datasets.SceneFace;
import io.maskstream.evaluation.metrics.DetectionMetrics;
import io.maskstream.evaluation.metrics.DetectionMetrics.Truth;
import io.maskstream.events.FaceBox;
import io.maskstream.events.MaskState;
import io.maskstream.model.Box;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.DetectorSettings;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.InputSpec;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.TrainedFaceDetector;
import io.maskstream.synthetic.Scene;
import io.maskstream.synthetic.SyntheticScenes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's bar for the trained face detector: on held-out synthetic scenes (another seed: other people, rooms and
 * walks than training saw) it finds at least 90% of the faces of each mask state, worn, incorrect and none, with at
 * least 90% precision, at IoU 0.5, through the served path (JPEG bytes, full-resolution decode, the bundle loaded by
 * {@link TrainedFaceDetector}) at the score threshold the trainer chose on its validation scenes (other sequences of
 * the training seed; the test scenes choose nothing). Training is what two shared cores do in a minute or two: 4
 * frames of each of 150 sequences (600 frames), 30 epochs. Measured (2 cores, shared): precision 0.965, recall 0.923
 * incorrect / 0.933 none / 0.939 worn, AP50 0.929 at the chosen threshold 0.40, training 90 s.
 */
class DetectorFindsMaskedAndBareFacesInSyntheticScenesTest {

    private static final int TRAIN_SEQUENCES = 150;
    private static final int[] TRAIN_FRAMES = {0, 5, 10, 15};
    private static final int VALIDATION_SEQUENCES = 40;
    private static final int[] VALIDATION_FRAMES = {3, 12};
    private static final int TEST_SEQUENCES = 60;
    private static final int[] TEST_FRAMES = {2, 9, 16};
    private static final int EPOCHS = 30;

    @Test
    void findsAtLeastNineInTenFacesOfEachMaskStateAtNinetyPercentPrecision() throws Exception {
        ImagePreprocessor decoder = new ImagePreprocessor(InputSpec.imagenet(256, 192), ImageLimits.defaults());
        long t0 = System.nanoTime();
        SyntheticScenes seen = SyntheticScenes.defaults(1);
        List<LabeledScene> train = scenes(seen, 0, TRAIN_SEQUENCES, TRAIN_FRAMES, decoder);
        List<LabeledScene> validation = scenes(seen, TRAIN_SEQUENCES, VALIDATION_SEQUENCES, VALIDATION_FRAMES, decoder);
        List<LabeledScene> test = scenes(SyntheticScenes.defaults(1001), 0, TEST_SEQUENCES, TEST_FRAMES, decoder);
        double renderSeconds = (System.nanoTime() - t0) / 1e9;

        DetectorTrainer trainer = new DetectorTrainer(DetectorTrainer.Options.defaults(5).withEpochs(EPOCHS));
        DetectorTrainer.Result result = trainer.train(train, validation, "gridnet-scenes");
        ModelBundle bundle = ModelBundle.read(result.bundle().toBytes());
        float minScore = Float.parseFloat(bundle.metadata().trainingSummary().get(DetectorTrainer.MIN_SCORE_KEY));
        DetectorSettings settings = new DetectorSettings(minScore, DetectorSettings.defaults().nmsIou(),
                DetectorSettings.defaults().maxFaces());
        long t1 = System.nanoTime();
        DetectionMetrics served = DetectorTrainer.evaluate(TrainedFaceDetector.load(bundle, ComputeSettings.defaults(),
                settings), test, 16);
        double testSeconds = (System.nanoTime() - t1) / 1e9;
        DetectionMetrics atDefault = DetectorTrainer.evaluate(TrainedFaceDetector.load(bundle, ComputeSettings.defaults(),
                DetectorSettings.defaults()), test, 16);

        System.err.printf(Locale.ROOT, "Face detector on held-out synthetic scenes at score >= %.2f: %s%n  at the default "
                        + "%.2f: %s%n  trained on %d frames (%d faces) in %.1f s (%d epochs), validated on %d frames, tested "
                        + "on %d frames (%d faces) in %.1f s; scenes rendered in %.1f s%n", minScore, served,
                DetectorSettings.defaults().minScore(), atDefault, train.size(), faces(train), result.trainingSeconds(),
                EPOCHS, validation.size(), test.size(), faces(test), testSeconds, renderSeconds);
        assertThat(served.precision()).as("precision").isGreaterThanOrEqualTo(0.9);
        for (MaskState state : MaskState.values()) {
            String key = key(state);
            assertThat(served.byKey()).as("held-out faces %s", key).containsKey(key);
            assertThat(served.recall(key)).as("recall of %s faces", key).isGreaterThanOrEqualTo(0.9);
        }
    }

    static List<LabeledScene> scenes(SyntheticScenes generator, int firstSequence, int sequences, int[] frames,
                                     ImagePreprocessor decoder) throws Exception {
        List<LabeledScene> out = new ArrayList<>();
        for (int s = firstSequence; s < firstSequence + sequences; s++) {
            for (int f : frames) {
                Scene scene = generator.scene(s, f);
                List<Truth> faces = new ArrayList<>();
                for (SceneFace face : scene.faces()) {
                    FaceBox b = face.box();
                    faces.add(new Truth(new Box(b.getX(), b.getY(), b.getWidth(), b.getHeight()), key(face.maskState())));
                }
                out.add(LabeledScene.decode(decoder, scene.jpeg(), faces));
            }
        }
        return out;
    }

    private static String key(MaskState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private static long faces(List<LabeledScene> scenes) {
        return scenes.stream().mapToLong(s -> s.faces().size()).sum();
    }
}
