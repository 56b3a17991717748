package io.maskstream.evaluation.cli;

import io.maskstream.evaluation.EvaluationConfig;
import io.maskstream.evaluation.ModelSource;
import io.maskstream.evaluation.Submission;
import io.maskstream.model.Classifier;
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
        description = "Write the competition submission (ImageID,ans in eval/info.csv order) for an eval folder.")
public final class ScoreCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Parameters(index = "0", paramLabel = "FOLDER", description = "The dataset root or its eval/ folder.")
    Path folder;

    @Option(names = {"-m", "--model"}, defaultValue = "active",
            description = "A bundle file, a released version, or 'active' (the default).")
    String model;

    @Option(names = "--out", defaultValue = "submission.csv", description = "Submission file to write.")
    Path out;

    @Option(names = "--tta", description = "Horizontal-flip test-time augmentation.")
    boolean tta;

    @Override
    public Integer call() throws Exception {
        EvaluationConfig cfg = new EvaluationConfig(config.source());
        ModelBundle bundle = ModelSource.resolve(cfg, model);
        try (Classifier classifier = Classifier.load(bundle, cfg.computeSettings())) {
            Submission.Result r = Submission.write(folder, classifier, tta || cfg.getBoolean(EvaluationConfig.FLIP_TTA),
                    cfg.getInt(EvaluationConfig.BATCH_SIZE), out);
            System.out.printf(Locale.ROOT, "Wrote %s: %d rows with model %s in %.1f s%s%n", out, r.rows(),
                    bundle.metadata().version(), r.seconds(), r.failed() > 0 ? " (" + r.failed()
                            + " images could not be read: ans -1)" : "");
            return r.failed() > 0 ? 1 : 0;
        }
    }
}
