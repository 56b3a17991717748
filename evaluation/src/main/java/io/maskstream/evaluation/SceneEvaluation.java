package io.maskstream.evaluation;

import io.maskstream.evaluation.metrics.DetectionMetrics;
import io.maskstream.evaluation.metrics.FaceScores;
import io.maskstream.events.FaceBox;
import io.maskstream.events.LabeledFace;
import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.model.Box;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.Detection;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.LabelCodec;
import io.maskstream.model.ScenePipeline;
import io.maskstream.runtime.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a scene model (detector + classifier, run as the processor runs them: {@link ScenePipeline}) on labeled
 * scenes: detection precision, recall per mask state and AP at IoU 0.5, and the per-face 18-class metrics in which a
 * face the detector missed counts as a wrong answer.
 */
public final class SceneEvaluation {

    private static final Logger LOG = LoggerFactory.getLogger(SceneEvaluation.class);

    /** A labeled face of a scene: where it is and its 18-class truth (competition age bands). */
    public record TruthFace(Box box, int truth) {

        /** A labeled face of a scene, its truth with the competition's age bands. */
        public static TruthFace of(Box box, MaskState mask, Gender gender, int ageYears) {
            return new TruthFace(box, ReplayEvaluation.truthOf(mask, gender, ageYears));
        }

        /** The mask state's name, the key detection recall is reported under. */
        public String maskKey() {
            return LabelCodec.mask(truth).name();
        }
    }

    /** One labeled scene: an id for logs, the encoded image, its labeled faces (possibly none). */
    public record Scene(String id, byte[] image, List<TruthFace> faces) {
    }

    /** Everything measured on a set of scenes. */
    public record Result(String modelVersion, String detectorVersion, int scenes, int unreadable,
                         DetectionMetrics detection, FaceScores faces, double framesPerSecond) {

        /** One line for logs and the console. */
        public String summary() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "%d scenes, %d faces: detection precision %.3f recall %.3f AP50 %.3f", scenes, faces.faces(),
                    detection.precision(), detection.recall(), detection.averagePrecision()));
            detection.byKey().forEach((k, c) -> s.append(String.format(Locale.ROOT, ", recall %s %.3f", k.toLowerCase(Locale.ROOT),
                    c.recall())));
            s.append(String.format(Locale.ROOT, "; per-face macro-F1 %.4f (misses count as wrong; %d missed)",
                    faces.macroF1(), faces.missedFaces()));
            return s.toString();
        }
    }

    private SceneEvaluation() {
    }

    /** The scene of a labeled frame with {@code scene = true}. */
    public static Scene of(LabeledFrame f) {
        byte[] bytes = new byte[f.getFrame().getImage().remaining()];
        f.getFrame().getImage().duplicate().get(bytes);
        List<TruthFace> faces = new ArrayList<>(f.getFaces().size());
        for (LabeledFace face : f.getFaces()) {
            faces.add(TruthFace.of(box(face.getBox()), face.getMaskState(), face.getGender(), face.getAge()));
        }
        return new Scene(f.getSourcePath(), bytes, faces);
    }

    /** A box of the events (FaceBox, in source pixels) as the model's {@link Box}. */
    public static Box box(FaceBox b) {
        return new Box(b.getX(), b.getY(), b.getWidth(), b.getHeight());
    }

    /** Runs every scene through the pipeline in batches of {@code batchSize} frames and scores the answers. */
    public static Result evaluate(ScenePipeline pipeline, List<Scene> scenes, int batchSize, boolean flipTta) {
        DetectionMetrics detection = new DetectionMetrics();
        FaceScores faces = new FaceScores();
        Progress progress = new Progress("scenes " + pipeline.classifier().version(), scenes.size());
        int unreadable = 0;
        long start = System.nanoTime();
        List<Scene> batch = new ArrayList<>(batchSize);
        List<DecodedImage> decoded = new ArrayList<>(batchSize);
        for (int i = 0; i < scenes.size(); i++) {
            Scene s = scenes.get(i);
            try {
                decoded.add(pipeline.classifier().preprocessor().decode(s.image()));
                batch.add(s);
            } catch (ImageRejectedException e) {
                unreadable++;
                LOG.warn("Skipping unreadable scene {} ({}): {}", s.id(), e.reason(), e.getMessage());
            }
            if (!batch.isEmpty() && (batch.size() == batchSize || i == scenes.size() - 1)) {
                List<List<ScenePipeline.Face>> found = pipeline.run(decoded, flipTta);
                for (int k = 0; k < batch.size(); k++) {
                    score(batch.get(k), found.get(k), detection, faces);
                }
                progress.step(batch.size());
                batch.clear();
                decoded.clear();
            }
        }
        progress.done();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(pipeline.classifier().version(), pipeline.detector().version(), scenes.size() - unreadable,
                unreadable, detection, faces, (scenes.size() - unreadable) / Math.max(1e-9, seconds));
    }

    private static void score(Scene scene, List<ScenePipeline.Face> found, DetectionMetrics detection, FaceScores faces) {
        List<DetectionMetrics.Truth> truths = new ArrayList<>(scene.faces().size());
        for (TruthFace t : scene.faces()) {
            truths.add(new DetectionMetrics.Truth(t.box(), t.maskKey()));
        }
        List<Detection> predictions = new ArrayList<>(found.size());
        for (ScenePipeline.Face f : found) {
            predictions.add(f.detection());
        }
        int[] match = detection.add(truths, predictions);
        for (int t = 0; t < match.length; t++) {
            int truth = scene.faces().get(t).truth();
            if (match[t] < 0) {
                faces.missed(truth);
            } else {
                faces.add(truth, found.get(match[t]).prediction().classCode());
            }
        }
    }
}
