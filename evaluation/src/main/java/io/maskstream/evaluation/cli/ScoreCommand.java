package io.maskstream.evaluation.cli;

import io.maskstream.evaluation.EvaluationConfig;
import io.maskstream.evaluation.ModelSource;
import io.maskstream.evaluation.Submission;
import io.maskstream.datasets.CocoDataset;
import io.maskstream.evaluation.SceneScoring;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.FaceTracker;
import io.maskstream.model.ScenePipeline;
import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code maskstream score <eval folder>}: the competition's submission CSV from the active (or a named) model. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Write the competition submission (ImageID,ans in eval/info.csv order) for an eval folder, or COCO "
                + "detection results (one line per face found, with its labels, class and track) for a COCO scene folder.")
public final class ScoreCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Parameters(index = "0", paramLabel = "FOLDER", description = "The dataset root or its eval/ folder, or a COCO folder "
            + "of scenes (annotations.json beside images/).")
    Path folder;

    @Option(names = {"-m", "--model"}, defaultValue = "active",
            description = "A bundle file, a released version, or 'active' (the default).")
    String model;

    @Option(names = "--out", description = "File to write (default: submission.csv, or results.json for scenes).")
    Path out;

    @Option(names = "--tta", description = "Horizontal-flip test-time augmentation.")
    boolean tta;

    @Option(names = "--mc-passes", paramLabel = "N", description = "Classify with N MC-dropout passes, as the processor "
            + "serves them (overrides evaluation.uncertainty.mc.passes; 0: one pass).")
    Integer mcPasses;

    @Override
    public Integer call() throws Exception {
        EvaluationConfig cfg = new EvaluationConfig(config.source(mcPasses == null ? java.util.Map.of()
                : java.util.Map.of(EvaluationConfig.MC_PASSES, mcPasses.toString())));
        ModelBundle bundle = ModelSource.resolve(cfg, model);
        if (CocoDataset.isCoco(folder)) {
            return scenes(cfg, bundle, out == null ? Path.of("results.json") : out);
        }
        Path out = this.out == null ? Path.of("submission.csv") : this.out;
        try (BatchClassifier classifier = Classifiers.load(bundle, cfg.computeSettings())) {
            Submission.Result r = Submission.write(folder, classifier, tta || cfg.getBoolean(EvaluationConfig.FLIP_TTA),
                    cfg.mcDropout(), cfg.getInt(EvaluationConfig.BATCH_SIZE), out);
            System.out.printf(Locale.ROOT, "Wrote %s: %d rows with model %s in %.1f s%s%n", out, r.rows(),
                    bundle.metadata().version(), r.seconds(), r.failed() > 0 ? " (" + r.failed()
                            + " images could not be read: ans -1)" : "");
            var truth = Submission.againstTruth(folder, r);
            if (truth.isPresent()) {
                var t = truth.get();
                var c = t.calibration();
                System.out.printf(Locale.ROOT, "Against %s (%d images): macro-F1 %.4f, accuracy %.4f; ECE 18 classes %.4f, "
                                + "mask %.4f, gender %.4f, age %.4f (%s)%n", Submission.TRUTH_FILE, t.images(),
                        t.confusion().macroF1(), t.confusion().accuracy(), c.classes().ece(), c.mask().ece(),
                        c.gender().ece(), c.age().ece(), cfg.mcDropout().enabled() ? cfg.mcDropout().passes()
                                + " MC-dropout passes at rate " + cfg.mcDropout().rate() : "one pass");
                if (c.spread() != null) {
                    System.out.printf(Locale.ROOT, "Mean spread, right / wrong answers: mask %.4f / %.4f, 18 classes "
                                    + "%.4f / %.4f%n", c.spread().maskWhenRight(), c.spread().maskWhenWrong(),
                            c.spread().classesWhenRight(), c.spread().classesWhenWrong());
                }
            }
            return r.failed() > 0 ? 1 : 0;
        }
    }

    private int scenes(EvaluationConfig cfg, ModelBundle bundle, Path out) throws Exception {
        try (BatchClassifier classifier = Classifiers.load(bundle, cfg.computeSettings());
             FaceDetector detector = cfg.detectorFor(bundle)) {
            ScenePipeline pipeline = new ScenePipeline(detector, classifier, ScenePipeline.cropMargin(bundle.metadata(),
                    cfg.getDouble(EvaluationConfig.CROP_MARGIN)));
            SceneScoring.Result r = SceneScoring.write(folder, pipeline, new FaceTracker(
                    cfg.getInt(EvaluationConfig.TRACKING_MAX_GAP_FRAMES), 0.3), cfg.getInt(EvaluationConfig.BATCH_SIZE),
                    tta || cfg.getBoolean(EvaluationConfig.FLIP_TTA), out);
            System.out.printf(Locale.ROOT, "Wrote %s: %d faces in %d images with model %s and detector %s in %.1f s%s%n", out,
                    r.faces(), r.images(), bundle.metadata().version(), detector.version(), r.seconds(),
                    r.failed() > 0 ? " (" + r.failed() + " images could not be read)" : "");
            return r.failed() > 0 ? 1 : 0;
        }
    }
}
