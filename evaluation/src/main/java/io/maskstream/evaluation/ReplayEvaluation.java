package io.maskstream.evaluation;

import io.maskstream.runtime.Progress;
import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.evaluation.metrics.Calibration;
import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.model.AgeBands;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.ScenePipeline;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.LabelCodec;
import io.maskstream.model.McDropout;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.Prediction;
import io.maskstream.model.PreparedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a recorded range of labeled frames through one or several model versions, side by side, and writes
 * the report. Same range and versions give the same JSON, byte for byte: records are read in (partition,
 * offset) order, inferred in fixed batches, and the truth always uses the competition's age bands.
 */
public final class ReplayEvaluation {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayEvaluation.class);

    /** What was evaluated and where the report went. */
    public record Outcome(String range, int frames, int unreadable, List<VersionResult> results, Path report) {
    }

    private final EvaluationConfig config;

    public ReplayEvaluation(EvaluationConfig config) {
        this.config = config;
    }

    /** Runs the evaluation of every model ({@code specs}: versions, bundle files or "active") over {@code range}. */
    public Outcome run(TopicRange range, List<String> specs, Path outDir) throws Exception {
        LabeledReplay replay = new LabeledReplay(config, range.topic());
        Map<Integer, long[]> resolved = replay.resolve(range);
        String described = range.describe(resolved);
        LOG.info("Replaying {}", described);
        List<LabeledReplay.Record> all = replay.read(resolved);
        List<LabeledReplay.Record> records = new ArrayList<>();
        List<SceneEvaluation.Scene> scenes = new ArrayList<>();
        for (LabeledReplay.Record r : all) {
            if (r.frame().getScene()) {
                scenes.add(SceneEvaluation.of(r.frame()));
            } else {
                records.add(r);
            }
        }
        if (!scenes.isEmpty()) {
            LOG.info("{} of the {} labeled frames are scenes: they are scored per face, with detection", scenes.size(),
                    all.size());
        }
        List<VersionResult> results = new ArrayList<>();
        int unreadable = 0;
        for (String spec : specs) {
            ModelBundle bundle = ModelSource.resolve(config, spec);
            try (BatchClassifier classifier = Classifiers.load(bundle, config.computeSettings())) {
                int[] bad = new int[1];
                VersionResult portraits = records.isEmpty() ? null : evaluate(classifier, records, bad);
                SceneEvaluation.Result sceneResult = null;
                if (!scenes.isEmpty()) {
                    try (FaceDetector detector = config.detectorFor(bundle)) {
                        ScenePipeline pipeline = new ScenePipeline(detector, classifier, ScenePipeline.cropMargin(
                                bundle.metadata(), config.getDouble(EvaluationConfig.CROP_MARGIN)));
                        sceneResult = SceneEvaluation.evaluate(pipeline, scenes, config.getInt(EvaluationConfig.BATCH_SIZE),
                                config.getBoolean(EvaluationConfig.FLIP_TTA));
                    }
                    LOG.info("Model {} on scenes: {}", classifier.version(), sceneResult.summary());
                    bad[0] += sceneResult.unreadable();
                }
                results.add(portraits == null
                        ? new VersionResult(classifier.version(), classifier.metadata().architecture(),
                        sceneResult.faces().toModelMetrics("replay, per face (a missed face counts as wrong)"), Map.of(),
                        List.of(), sceneResult.framesPerSecond(), sceneResult)
                        : new VersionResult(portraits.version(), portraits.architecture(), portraits.metrics(),
                        portraits.perCamera(), portraits.confidentMistakes(), portraits.framesPerSecond(), sceneResult,
                        portraits.calibration()));
                unreadable = bad[0];
            }
        }
        boolean tta = config.getBoolean(EvaluationConfig.FLIP_TTA);
        Path report = Report.write(outDir, described, all.size() - unreadable, tta, config.mcDropout(), results);
        return new Outcome(described, all.size(), unreadable, results, report);
    }

    VersionResult evaluate(BatchClassifier classifier, List<LabeledReplay.Record> records, int[] unreadable) {
        int batchSize = config.getInt(EvaluationConfig.BATCH_SIZE);
        boolean tta = config.getBoolean(EvaluationConfig.FLIP_TTA);
        McDropout mc = config.mcDropout();
        Confusion confusion = new Confusion();
        Calibration calibration = new Calibration();
        Map<String, int[]> cameras = new TreeMap<>();
        List<VersionResult.Mistake> mistakes = new ArrayList<>();
        Progress progress = new Progress(classifier.version(), records.size());
        List<PreparedImage> images = new ArrayList<>(batchSize);
        List<LabeledFrame> batch = new ArrayList<>(batchSize);
        long start = System.nanoTime();
        for (int i = 0; i < records.size(); i++) {
            LabeledFrame f = records.get(i).frame();
            byte[] bytes = new byte[f.getFrame().getImage().remaining()];
            f.getFrame().getImage().duplicate().get(bytes);
            try {
                images.add(classifier.preprocessor().prepare(bytes));
                batch.add(f);
            } catch (ImageRejectedException e) {
                unreadable[0]++;
                LOG.warn("Skipping unreadable labeled frame {} ({}): {}", f.getSourcePath(), e.reason(), e.getMessage());
            }
            if (batch.size() == batchSize || (i == records.size() - 1 && !batch.isEmpty())) {
                List<Prediction> predictions = classifier.classify(images, tta, mc);
                for (int k = 0; k < batch.size(); k++) {
                    LabeledFrame lf = batch.get(k);
                    Prediction p = predictions.get(k);
                    int truth = truthOf(lf);
                    int predicted = p.classCode();
                    confusion.add(truth, predicted);
                    calibration.add(truth, p);
                    int[] cam = cameras.computeIfAbsent(lf.getFrame().getCameraId(), c -> new int[2]);
                    cam[0]++;
                    if (truth == predicted) {
                        cam[1]++;
                    } else {
                        mistakes.add(new VersionResult.Mistake(lf.getFrame().getCameraId() + "/" + lf.getFrame().getSequence(),
                                lf.getSourcePath(), truth, predicted, p.classes()[predicted]));
                    }
                }
                images.clear();
                batch.clear();
            }
            progress.step(1);
        }
        progress.done();
        double seconds = (System.nanoTime() - start) / 1e9;
        mistakes.sort(Comparator.comparingDouble(VersionResult.Mistake::probability).reversed()
                .thenComparing(VersionResult.Mistake::frameId));
        Map<String, VersionResult.CameraAccuracy> perCamera = new TreeMap<>();
        cameras.forEach((c, v) -> perCamera.put(c, new VersionResult.CameraAccuracy(v[0], v[1])));
        return new VersionResult(classifier.version(), classifier.metadata().architecture(),
                confusion.toModelMetrics("replay"), perCamera,
                List.copyOf(mistakes.subList(0, Math.min(mistakes.size(), config.getInt(EvaluationConfig.MISTAKES)))),
                records.size() / Math.max(1e-9, seconds), null, calibration.summary());
    }

    /** The 18-class truth of a labeled frame, with the competition's age bands. */
    public static int truthOf(LabeledFrame f) {
        return truthOf(f.getMaskState(), f.getGender(), f.getAge());
    }

    /** The 18-class truth of a labeled person or face, with the competition's age bands. */
    public static int truthOf(MaskState mask, Gender gender, int ageYears) {
        return LabelCodec.classCode(mask.ordinal(), gender.ordinal(), AgeBands.COMPETITION.band(ageYears).ordinal());
    }
}
