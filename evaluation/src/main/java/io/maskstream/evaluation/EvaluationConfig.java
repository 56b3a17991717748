package io.maskstream.evaluation;

import io.maskstream.model.ComputeSettings;
import io.maskstream.model.McDropout;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.streams.StreamsMembership;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of replay evaluation, online evaluation and scoring. */
public final class EvaluationConfig extends ServiceConfig {

    public static final String BATCH_SIZE = "evaluation.batch.size";
    public static final String FLIP_TTA = "evaluation.flip.tta";
    public static final String MISTAKES = "evaluation.mistakes";
    public static final String REPORT_DIR = "evaluation.report.dir";
    public static final String DETECTOR_FILE = "evaluation.detector.file";
    public static final String DETECTOR_FORMAT = "evaluation.detector.format";
    public static final String DETECTOR_MIN_SCORE = "evaluation.detector.min.score";
    public static final String CROP_MARGIN = "evaluation.crop.margin";
    public static final String TRACKING_MAX_GAP_FRAMES = "evaluation.tracking.max.gap.frames";
    public static final String MC_PASSES = "evaluation.uncertainty.mc.passes";
    public static final String MC_DROPOUT = "evaluation.uncertainty.mc.dropout";
    public static final String DEVICE = "evaluation.device";
    public static final String INTRA_OP_THREADS = "evaluation.intra.op.threads";
    public static final String ONLINE_APPLICATION_ID = "evaluation.online.application.id";
    public static final String ONLINE_STATE_DIR = "evaluation.online.state.dir";
    public static final String ONLINE_LABEL_RETENTION_MS = "evaluation.online.label.retention.ms";
    public static final String JUDGE_INTERVAL_MS = "evaluation.judge.interval.ms";
    public static final String SHADOW_PROMOTE = "evaluation.shadow.promote";
    public static final String SHADOW_MIN_FRAMES = "evaluation.shadow.min.frames";
    public static final String SHADOW_MARGIN = "evaluation.shadow.margin";
    public static final String CANARY_ROLLBACK = "evaluation.canary.rollback";
    public static final String CANARY_MIN_FRAMES = "evaluation.canary.min.frames";
    public static final String CANARY_MIN_F1 = "evaluation.canary.min.f1";
    public static final String CANARY_MIN_AGREEMENT = "evaluation.canary.min.agreement";
    public static final String DRIFT_ENABLED = "evaluation.drift.enabled";
    public static final String DRIFT_APPLICATION_ID = "evaluation.drift.application.id";
    public static final String DRIFT_WINDOW_FRAMES = "evaluation.drift.window.frames";
    public static final String DRIFT_OVERALL_WINDOW_FRAMES = "evaluation.drift.overall.window.frames";
    public static final String DRIFT_THRESHOLD = "evaluation.drift.threshold";
    public static final String DRIFT_CLEAR_THRESHOLD = "evaluation.drift.clear.threshold";

    /** Prefix of the online evaluation's static-membership keys ({@link StreamsMembership#define}). */
    static final String ONLINE_MEMBERSHIP_PREFIX = "evaluation.online";

    public static final ConfigDef DEFINITION = StreamsMembership.define(CommonConfig.define(new ConfigDef()),
            ONLINE_MEMBERSHIP_PREFIX)
            .define(BATCH_SIZE, Type.INT, 32, Range.between(1, 1024), Importance.MEDIUM, "Frames per forward pass.")
            .define(FLIP_TTA, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Average each prediction with that of the mirrored image (horizontal-flip test-time augmentation).")
            .define(MISTAKES, Type.INT, 20, Range.between(0, 10_000), Importance.LOW,
                    "How many of the most confident mistakes a report lists per model version.")
            .define(REPORT_DIR, Type.STRING, "reports", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Where evaluation reports are written (one folder per run).")
            .define(DETECTOR_FILE, Type.STRING, "", Importance.MEDIUM,
                    "Scenes: a pretrained face detector file to use instead of the detector the model's bundle carries.")
            .define(DETECTOR_FORMAT, Type.STRING, "blazeface", ConfigDef.ValidString.in("blazeface", "blazeface-back"), Importance.LOW,
                    "Format of evaluation.detector.file.")
            .define(DETECTOR_MIN_SCORE, Type.DOUBLE, 0.0, Range.between(0.0, 0.99), Importance.LOW,
                    "Scenes: faces the detector is less sure of are dropped; 0: a trained detector's own threshold, "
                            + "else 0.5 (as processor.detector.min.score).")
            .define(CROP_MARGIN, Type.DOUBLE, 0.2, Range.between(0.0, 2.0), Importance.LOW,
                    "Scenes: crop margin for a classifier that does not record its own (as processor.crop.margin).")
            .define(TRACKING_MAX_GAP_FRAMES, Type.INT, 10, Range.between(0, 100_000), Importance.LOW,
                    "score on scenes: frames a person may go unseen in a sequence and keep their track id.")
            .define(MC_PASSES, Type.INT, 0, mcPassesValidator(), Importance.LOW,
                    "Replay: classify with this many MC-dropout passes, as processor.uncertainty.mc.passes serves them "
                            + "(same seeded masks), so the report's calibration is that of the served mean. 0: one pass.")
            .define(MC_DROPOUT, Type.DOUBLE, 0.2, Range.between(0.01, 0.9), Importance.LOW,
                    "Replay: the MC-dropout rate on the pooled features (as processor.uncertainty.mc.dropout).")
            .define(DEVICE, Type.STRING, "auto", Importance.LOW, "Inference device: auto, cpu, gpu or gpu:N.")
            .define(INTRA_OP_THREADS, Type.INT, 1, Range.between(0, 256), Importance.LOW,
                    "PyTorch intra-op threads (1 keeps replays bit-for-bit repeatable; 0: engine default).")
            .define(ONLINE_APPLICATION_ID, Type.STRING, "maskstream-online-evaluation", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Kafka Streams application id of the online evaluation.")
            .define(ONLINE_STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/maskstream-online-evaluation",
                    Importance.LOW, "State directory of the online evaluation.")
            .define(ONLINE_LABEL_RETENTION_MS, Type.LONG, 3_600_000L, Range.atLeast(1000), Importance.LOW,
                    "How long a label or a classification waits for its partner in the online join, and two versions' "
                            + "answers to the same frame wait for each other (agreement, paired F1).")
            .define(JUDGE_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW,
                    "How often the online evaluation's release judge reads model-releases and the live figures to promote "
                            + "a shadow release or roll back a canary.")
            .define(SHADOW_PROMOTE, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Promote a SHADOW release to ACTIVE (retiring the active one) once, over at least "
                            + "evaluation.shadow.min.frames labeled frames both answered, its live macro-F1 is at least the "
                            + "active model's on the same frames plus evaluation.shadow.margin. Off: shadows are only measured.")
            .define(SHADOW_MIN_FRAMES, Type.INT, 500, Range.atLeast(1), Importance.MEDIUM,
                    "Labeled frames answered by both a SHADOW release and the active model before a promotion is decided.")
            .define(SHADOW_MARGIN, Type.DOUBLE, 0.01, Range.between(0.0, 1.0), Importance.MEDIUM,
                    "How much higher than the active model's live macro-F1 (same frames) a SHADOW release's must be to be promoted.")
            .define(CANARY_ROLLBACK, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Roll a CANARY release back (RETIRED, its cameras return to the active model) when its live macro-F1 "
                            + "or its agreement with the active model falls below evaluation.canary.min.f1 / "
                            + "evaluation.canary.min.agreement. Off: canaries are only measured.")
            .define(CANARY_MIN_FRAMES, Type.INT, 200, Range.atLeast(1), Importance.MEDIUM,
                    "Frames a canary is judged on at the fewest: compared frames for its agreement, labeled frames for "
                            + "its live macro-F1; each figure is ignored until it has that many.")
            .define(CANARY_MIN_F1, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.MEDIUM,
                    "A CANARY whose live 18-class macro-F1 on labeled frames falls below this is rolled back (0: never "
                            + "for its F1).")
            .define(CANARY_MIN_AGREEMENT, Type.DOUBLE, 0.8, Range.between(0.0, 1.0), Importance.MEDIUM,
                    "A CANARY whose share of frames with the same 18-class answer as the active model (on its cameras) "
                            + "falls below this is rolled back (0: never for its agreement).")
            .define(DRIFT_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "evaluate-online also runs the drift monitor: PSI of each camera's (and each model version's overall) "
                            + "sliding window of live answers against the release's training profile, as gauges "
                            + "maskstream_evaluation_drift_psi and events on topic.drift.")
            .define(DRIFT_APPLICATION_ID, Type.STRING, "maskstream-drift-monitor", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Kafka Streams application id of the drift monitor (its state lives under "
                            + ONLINE_STATE_DIR + ").")
            .define(DRIFT_WINDOW_FRAMES, Type.INT, 300, Range.between(20, 1_000_000), Importance.MEDIUM,
                    "Frames with a face in a camera's sliding drift window (its last N answers); PSI is computed once "
                            + "the window is full. Noise on a steady camera is about 17/N for the class mix.")
            .define(DRIFT_OVERALL_WINDOW_FRAMES, Type.INT, 1000, Range.between(20, 1_000_000), Importance.LOW,
                    "Frames with a face in a model version's overall sliding drift window (its last N answers over all "
                            + "cameras).")
            .define(DRIFT_THRESHOLD, Type.DOUBLE, 0.25, Range.between(0.001, 100.0), Importance.MEDIUM,
                    "PSI above which a window raises a drift event (0.25: the usual 'significant shift' level).")
            .define(DRIFT_CLEAR_THRESHOLD, Type.DOUBLE, 0.1, Range.between(0.0, 100.0), Importance.LOW,
                    "PSI below which a raised window clears (one CLEARED event) and may raise again; at most "
                            + DRIFT_THRESHOLD + " (0.1: the usual 'no shift' level). The gap is the hysteresis that keeps "
                            + "a PSI hovering at the threshold from raising an event per frame.");

    public EvaluationConfig(ConfigSource source) {
        super(DEFINITION, source);
        if (getDouble(DRIFT_CLEAR_THRESHOLD) > getDouble(DRIFT_THRESHOLD)) {
            throw new io.maskstream.runtime.config.ConfigException(DRIFT_CLEAR_THRESHOLD + " = "
                    + getDouble(DRIFT_CLEAR_THRESHOLD) + " must be at most " + DRIFT_THRESHOLD + " = "
                    + getDouble(DRIFT_THRESHOLD) + " (from " + source.originOf(DRIFT_CLEAR_THRESHOLD) + ")");
        }
    }

    public io.maskstream.model.DetectorSettings detectorSettings() {
        float minScore = getDouble(DETECTOR_MIN_SCORE).floatValue();
        return new io.maskstream.model.DetectorSettings(minScore > 0f ? minScore : 0.5f, 0.4f, 32);
    }

    /**
     * The face detector to score {@code bundle} with on scenes: the configured file's, else the bundle's own.
     *
     * @throws io.maskstream.model.InvalidModelException when there is neither, or it does not load
     */
    public io.maskstream.model.FaceDetector detectorFor(io.maskstream.model.ModelBundle bundle)
            throws io.maskstream.model.InvalidModelException {
        String file = getString(DETECTOR_FILE);
        return file.isBlank() ? io.maskstream.model.FaceDetectors.fromBundle(bundle, computeSettings(), detectorSettings(),
                getDouble(DETECTOR_MIN_SCORE) == 0.0)
                : io.maskstream.model.FaceDetectors.fromFile(java.nio.file.Path.of(file), getString(DETECTOR_FORMAT),
                computeSettings(), detectorSettings());
    }

    /**
     * The MC-dropout passes replays sample ({@link McDropout#OFF} for 0), with the processor's mask seed so a replay
     * scores what the processor serves.
     */
    public McDropout mcDropout() {
        int passes = getInt(MC_PASSES);
        return passes == 0 ? McDropout.OFF : new McDropout(passes, getDouble(MC_DROPOUT), McDropout.SERVING_SEED);
    }

    private static ConfigDef.Validator mcPassesValidator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            int passes = value instanceof Integer i ? i : -1;
            if (passes != 0 && (passes < 2 || passes > 256)) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "must be 0 (off) or 2..256: one pass has no spread");
            }
        }, () -> "0 (off) or 2..256");
    }

    public ComputeSettings computeSettings() {
        return new ComputeSettings(getString(DEVICE), getInt(INTRA_OP_THREADS), 1);
    }

    /** Publishes the evaluation's keys to the shared configuration catalogue. */
    /** The online evaluation's static membership in its group. */
    public StreamsMembership onlineMembership() {
        return StreamsMembership.of(this, ONLINE_MEMBERSHIP_PREFIX, getString(ONLINE_APPLICATION_ID),
                getString(ONLINE_STATE_DIR));
    }

    /** The drift monitor's static membership in its own group (the online evaluation's membership keys). */
    public StreamsMembership driftMembership() {
        return StreamsMembership.of(this, ONLINE_MEMBERSHIP_PREFIX, getString(DRIFT_APPLICATION_ID),
                getString(ONLINE_STATE_DIR));
    }

    public static final class Definitions implements ConfigDefinitions {
        @Override
        public String service() {
            return "evaluation";
        }

        @Override
        public ConfigDef definition() {
            return DEFINITION;
        }
    }
}
