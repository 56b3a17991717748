package io.maskstream.evaluation.cli;

import io.maskstream.evaluation.EvaluationConfig;
import io.maskstream.evaluation.ReplayEvaluation;
import io.maskstream.evaluation.TopicRange;
import io.maskstream.evaluation.VersionResult;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.config.CommonConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskstream evaluate}: replays a labeled topic range through model versions and writes a report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Replay a recorded labeled topic range through one or several model versions side by side; "
                + "writes evaluation.json and an offline evaluation.html. Never disturbs live consumers.")
public final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Option(names = "--topic", description = "Labeled topic to replay (default: topic.labeled.frames).")
    String topic;

    @Option(names = "--from", description = "First offset: N for every partition or p:N,p:N (default: the beginning).")
    String from;

    @Option(names = "--to", description = "End offset, exclusive: N or p:N,p:N (default: the end when the replay starts).")
    String to;

    @Option(names = "--from-time", description = "First record at or after this time (ISO-8601, e.g. 2026-11-23T10:00:00Z).")
    Instant fromTime;

    @Option(names = "--to-time", description = "Stop before the first record at or after this time (ISO-8601).")
    Instant toTime;

    @Option(names = {"-m", "--model"}, split = ",", defaultValue = "active",
            description = "Model versions, bundle files, or 'active'; comma-separated or repeated.")
    List<String> models;

    @Option(names = "--out", description = "Report folder (default: <evaluation.report.dir>/evaluation-<time>).")
    Path out;

    @Option(names = "--tta", description = "Horizontal-flip test-time augmentation (overrides evaluation.flip.tta).")
    Boolean tta;

    @Option(names = "--mc-passes", paramLabel = "N", description = "Classify with N MC-dropout passes, as the processor "
            + "serves them (overrides evaluation.uncertainty.mc.passes; 0: one pass).")
    Integer mcPasses;

    @Override
    public Integer call() throws Exception {
        java.util.Map<String, String> extra = new java.util.HashMap<>();
        if (tta != null) {
            extra.put(EvaluationConfig.FLIP_TTA, tta.toString());
        }
        if (mcPasses != null) {
            extra.put(EvaluationConfig.MC_PASSES, mcPasses.toString());
        }
        EvaluationConfig cfg = new EvaluationConfig(config.source(extra));
        String topicName = topic != null ? topic : cfg.getString(CommonConfig.TOPIC_LABELED_FRAMES);
        Path dir = out != null ? out : Path.of(cfg.getString(EvaluationConfig.REPORT_DIR), "evaluation-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
        ReplayEvaluation.Outcome outcome = new ReplayEvaluation(cfg).run(
                TopicRange.parse(topicName, from, to, fromTime, toTime), models, dir);
        System.out.println(outcome.range() + ": " + outcome.frames() + " frames"
                + (outcome.unreadable() > 0 ? " (" + outcome.unreadable() + " unreadable, skipped)" : ""));
        System.out.printf(Locale.ROOT, "%-28s %9s %9s %8s %8s %8s %8s %9s%n", "version", "macro-F1", "accuracy", "mask",
                "gender", "age", "ECE", "frames/s");
        for (VersionResult r : outcome.results()) {
            var m = r.metrics();
            String ece = r.calibration() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.calibration().classes().ece());
            System.out.printf(Locale.ROOT, "%-28s %9.4f %9.4f %8.4f %8.4f %8.4f %8s %9.1f%n", r.version(), m.getMacroF1(),
                    m.getAccuracy(), m.getMaskF1(), m.getGenderF1(), m.getAgeF1(), ece, r.framesPerSecond());
        }
        System.out.println("Report: " + outcome.report().toAbsolutePath() + " (and evaluation.json)");
        return 0;
    }
}
