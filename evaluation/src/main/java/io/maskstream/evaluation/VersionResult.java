package io.maskstream.evaluation;

import io.maskstream.evaluation.metrics.Calibration;
import io.maskstream.events.ModelMetrics;
import java.util.List;
import java.util.Map;

/**
 * One model version's results on a replayed range: the holdout-style metrics (the same {@code ModelMetrics}
 * the trainer stores in releases), accuracy per camera, and the frames it got wrong most confidently; for a range of
 * labeled scenes, also the detection figures ({@code scenes}), and then {@code metrics} are the per-face metrics in
 * which a missed face counts as a wrong answer. {@code calibration} is how well the confidence of its portrait answers
 * matched their accuracy ({@link Calibration}); null when the range held no portraits.
 */
public record VersionResult(String version, String architecture, ModelMetrics metrics,
                            Map<String, CameraAccuracy> perCamera, List<Mistake> confidentMistakes, double framesPerSecond,
                            SceneEvaluation.Result scenes, Calibration.Summary calibration) {

    /** A result without calibration figures. */
    public VersionResult(String version, String architecture, ModelMetrics metrics, Map<String, CameraAccuracy> perCamera,
                         List<Mistake> confidentMistakes, double framesPerSecond, SceneEvaluation.Result scenes) {
        this(version, architecture, metrics, perCamera, confidentMistakes, framesPerSecond, scenes, null);
    }

    /** A result of portraits only, without calibration figures. */
    public VersionResult(String version, String architecture, ModelMetrics metrics, Map<String, CameraAccuracy> perCamera,
                         List<Mistake> confidentMistakes, double framesPerSecond) {
        this(version, architecture, metrics, perCamera, confidentMistakes, framesPerSecond, null, null);
    }

    /** Frames and correct 18-class answers of one camera. */
    public record CameraAccuracy(int frames, int correct) {
        public double accuracy() {
            return frames == 0 ? 0 : correct / (double) frames;
        }
    }

    /** A wrong answer: which frame, what it was, what the model said and how sure it was. */
    public record Mistake(String frameId, String source, int truth, int predicted, double probability) {
    }
}
