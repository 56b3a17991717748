package io.maskstream.processor;

import io.maskstream.model.ComputeSettings;
import io.maskstream.model.McDropout;
import io.maskstream.model.DetectorSettings;
import io.maskstream.model.ImageLimits;
import io.maskstream.releases.ReleaseSignatures;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.runtime.streams.StreamsMembership;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.streams.StreamsConfig;

/** Configuration of the stream processor ({@code maskstream process}). */
public final class ProcessorConfig extends ServiceConfig {

    public static final String APPLICATION_ID = "processor.application.id";
    public static final String MODEL_PATH = "processor.model.path";
    public static final String FOLLOW_RELEASES = "processor.model.follow.releases";
    public static final String MAX_BATCH_SIZE = "processor.max.batch.size";
    public static final String MAX_BATCH_DELAY_MS = "processor.max.batch.delay.ms";
    public static final String STREAM_THREADS = "processor.stream.threads";
    public static final String INFERENCE_THREADS = "processor.inference.threads";
    public static final String MAX_INFLIGHT_BATCHES = "processor.max.inflight.batches";
    public static final String PROCESSING_GUARANTEE = "processor.processing.guarantee";
    public static final String COMMIT_INTERVAL_MS = "processor.commit.interval.ms";
    public static final String DEVICE = "processor.device";
    public static final String INTRA_OP_THREADS = "processor.intra.op.threads";
    public static final String INTER_OP_THREADS = "processor.inter.op.threads";
    public static final String FLIP_TTA = "processor.flip.tta";
    public static final String MC_PASSES = "processor.uncertainty.mc.passes";
    public static final String MC_DROPOUT = "processor.uncertainty.mc.dropout";
    public static final String IMAGE_MIN_SIDE = "processor.image.min.side";
    public static final String IMAGE_MAX_PIXELS = "processor.image.max.pixels";
    public static final String STATE_DIR = "processor.state.dir";
    public static final String INFERENCE_TIMEOUT_MS = "processor.inference.timeout.ms";
    public static final String MAX_CAPTURE_AHEAD_MS = "processor.max.capture.ahead.ms";
    public static final String MODEL_FETCH_TIMEOUT_MS = "processor.model.fetch.timeout.ms";
    public static final String MODEL_FETCH_BACKOFF_MS = "processor.model.fetch.backoff.ms";
    public static final String MODEL_FETCH_BACKOFF_MAX_MS = "processor.model.fetch.backoff.max.ms";
    public static final String TRUSTED_KEYS = "processor.release.trusted.keys";
    public static final String REQUIRE_SIGNATURE = "processor.release.require.signature";
    public static final String FACES_MODE = "processor.faces.mode";
    public static final String DETECTOR_FILE = "processor.detector.file";
    public static final String DETECTOR_FORMAT = "processor.detector.format";
    public static final String DETECTOR_MIN_SCORE = "processor.detector.min.score";
    public static final String DETECTOR_NMS_IOU = "processor.detector.nms.iou";
    public static final String DETECTOR_MAX_FACES = "processor.detector.max.faces";
    public static final String CROP_MARGIN = "processor.crop.margin";
    public static final String TRACKING_MAX_GAP_FRAMES = "processor.tracking.max.gap.frames";
    public static final String TRACKING_MIN_IOU = "processor.tracking.min.iou";
    public static final String SHADOW_MAX = "processor.shadow.max";
    public static final String SHADOW_TIMEOUT_MS = "processor.shadow.timeout.ms";
    public static final String SHADOW_QUEUE = "processor.shadow.queue";
    /** {@link #FACES_MODE}: the frame is the face (portrait feeds such as the competition data). */
    public static final String WHOLE_FRAME = "whole-frame";
    /** {@link #FACES_MODE}: find every face, classify each, track each person. */
    public static final String DETECT = "detect";
    /** Prefix of the static-membership keys ({@link StreamsMembership#define}). */
    static final String MEMBERSHIP_PREFIX = "processor";

    public static final ConfigDef DEFINITION = StreamsMembership.define(CommonConfig.define(new ConfigDef()), MEMBERSHIP_PREFIX)
            .define(APPLICATION_ID, Type.STRING, "maskstream-processor", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka Streams application id: instances with the same id share the frames partitions.")
            .define(MODEL_PATH, Type.STRING, "", Importance.HIGH,
                    "Model bundle file served when no usable active release exists on the model-releases topic "
                            + "(empty: start-up fails without one).")
            .define(FOLLOW_RELEASES, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Follow the model-releases topic and hot-swap to each new active release.")
            .define(MAX_BATCH_SIZE, Type.INT, 16, Range.between(1, 1024), Importance.HIGH,
                    "A micro-batch is inferred as soon as it holds this many frames. Batches are formed per instance, across all "
                            + "its partitions and stream threads.")
            .define(MAX_BATCH_DELAY_MS, Type.LONG, 50L, Range.between(1, 60_000), Importance.HIGH,
                    "A frame waits at most this long (wall clock) for its batch to fill before it is inferred.")
            .define(STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
                    "Kafka Streams threads in this instance; they share one loaded model.")
            .define(INFERENCE_THREADS, Type.INT, 1, Range.between(0, 64), Importance.MEDIUM,
                    "Threads that run forward passes while the stream threads read and decode the next frames "
                            + "(shared by all stream threads; 1 suits one GPU). 0 infers on the stream threads themselves.")
            .define(MAX_INFLIGHT_BATCHES, Type.INT, 2, Range.between(1, 64), Importance.LOW,
                    "Batches the instance may have in inference at once (all its tasks) before a stream thread that would "
                            + "dispatch another waits for the oldest.")
            .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.MEDIUM,
                    "exactly_once_v2 (every frame yields exactly one event or dead letter) or at_least_once.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.between(10, 600_000), Importance.LOW,
                    "How often Kafka Streams commits (ends a transaction under exactly-once).")
            .define(DEVICE, Type.STRING, "auto", deviceValidator(), Importance.MEDIUM,
                    "Inference device: auto (GPU when DJL finds one, else CPU), cpu, gpu or gpu:N.")
            .define(INTRA_OP_THREADS, Type.INT, 0, Range.between(0, 256), Importance.LOW,
                    "PyTorch intra-op threads (0: engine default).")
            .define(INTER_OP_THREADS, Type.INT, 0, Range.between(0, 256), Importance.LOW,
                    "PyTorch inter-op threads (0: engine default).")
            .define(FLIP_TTA, Type.BOOLEAN, false, Importance.LOW,
                    "Average predictions over the frame and its mirror image (horizontal-flip test-time augmentation).")
            .define(MC_PASSES, Type.INT, 0, mcPassesValidator(), Importance.MEDIUM,
                    "MC-dropout: run the network's heads this many times per frame, each with its own dropout mask on the "
                            + "pooled features (the backbone runs once), serve the mean and put the passes' spread in "
                            + "the event's uncertainty field (per head: the standard deviation of the label's probability "
                            + "across passes; the share of passes that agree). The masks are seeded and the same for every "
                            + "batch, so a frame gets the same answer whatever it is batched with. 0: off (one pass, "
                            + "uncertainty null). An ensemble release reports its members' spread instead and ignores this.")
            .define(MC_DROPOUT, Type.DOUBLE, 0.2, Range.between(0.01, 0.9), Importance.LOW,
                    "MC-dropout: the share of pooled features each pass drops (kept ones are scaled by 1/(1-rate), as "
                            + "in training). A model trained with trainer.dropout is best sampled at that rate.")
            .define(IMAGE_MIN_SIDE, Type.INT, 16, Range.between(1, 4096), Importance.LOW,
                    "Frames whose width or height is smaller go to the dead-letter topic (IMAGE_TOO_SMALL).")
            .define(IMAGE_MAX_PIXELS, Type.LONG, 100_000_000L, Range.between(1, Long.MAX_VALUE), Importance.LOW,
                    "Frames with more pixels go to the dead-letter topic (IMAGE_TOO_LARGE); large JPEGs below it are "
                            + "decoded at reduced scale.")
            .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/maskstream-streams", Importance.LOW,
                    "Kafka Streams state directory (the micro-batch buffer store lives here); one per instance.")
            .define(INFERENCE_TIMEOUT_MS, Type.LONG, 3_000L, Range.between(10, 600_000), Importance.LOW,
                    "How long a batch's forward pass may take before its frames are retried one by one (on a thread of "
                            + "their own); what that retry has not classified after as long again is dead-lettered "
                            + "(INFERENCE_FAILED). Twice this must stay below the transaction timeout (Kafka Streams: "
                            + "10 s under exactly-once). Needs processor.inference.threads >= 1.")
            .define(MAX_CAPTURE_AHEAD_MS, Type.LONG, 60_000L, Range.between(0, 7L * 24 * 3600 * 1000), Importance.LOW,
                    "A frame whose capture time or record timestamp is further ahead of this processor's clock (or "
                            + "negative) gets the processor's clock instead, counted in "
                            + "maskstream_processor_timestamps_clamped_total; its event keeps the camera's time as "
                            + "originalCaptureTime.")
            .define(MODEL_FETCH_TIMEOUT_MS, Type.LONG, 120_000L, Range.between(100, 3_600_000), Importance.LOW,
                    "How long one fetch of a release's artifact may take before it is tried again.")
            .define(MODEL_FETCH_BACKOFF_MS, Type.LONG, 1_000L, Range.between(1, 600_000), Importance.LOW,
                    "Wait before retrying an artifact fetch that failed for a passing reason (broker unreachable, timeout); "
                            + "doubled after each failure.")
            .define(MODEL_FETCH_BACKOFF_MAX_MS, Type.LONG, 60_000L, Range.between(1, 3_600_000), Importance.LOW,
                    "Longest wait between artifact fetch retries.")
            .define(TRUSTED_KEYS, Type.LIST, "", trustedKeysValidator(), Importance.HIGH,
                    "Ed25519 public keys (files, X.509 SubjectPublicKeyInfo as PEM or DER; maskstream release keygen "
                            + "writes them) whose signatures on model releases this processor trusts; a release signed "
                            + "by any of them is accepted, so listing the old and the new key rotates keys without a gap. "
                            + "A release signed by another key, or whose signature does not verify, is refused "
                            + "(UNTRUSTED_SIGNATURE, BAD_SIGNATURE). Each file is read at start-up; one that is not such "
                            + "a key stops it. Empty: signatures are not checked.")
            .define(REQUIRE_SIGNATURE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "With processor.release.trusted.keys set: refuse unsigned releases (UNSIGNED). false accepts "
                            + "unsigned ones (while a topic's old releases predate signing) but still refuses signed "
                            + "ones that do not verify. Without trusted keys nothing is checked, whatever this says.")
            .define(FACES_MODE, Type.STRING, WHOLE_FRAME, ValidString.in(WHOLE_FRAME, DETECT), Importance.HIGH,
                    "whole-frame: each frame is one face, centre-cropped (portrait feeds such as the competition data); "
                            + "detect: a face detector finds every face, each is cut from the full-resolution frame and "
                            + "classified (crops of many frames share one forward pass), and each person is tracked.")
            .define(DETECTOR_FILE, Type.STRING, "", Importance.MEDIUM,
                    "In detect mode: a pretrained face detector file to use instead of the detector a release carries "
                            + "(read once at start-up; nothing is ever downloaded). Empty: the active release's own detector.")
            .define(DETECTOR_FORMAT, Type.STRING, "blazeface", ValidString.in("blazeface", "blazeface-back"), Importance.LOW,
                    "Format of processor.detector.file: blazeface (MediaPipe's front-camera BlazeFace as ONNX, 128x128, run by ONNX Runtime) or blazeface-back (its back-camera model, 256x256, for smaller faces).")
            .define(DETECTOR_MIN_SCORE, Type.DOUBLE, 0.0, Range.between(0.0, 0.99), Importance.MEDIUM,
                    "Faces the detector is less sure of are dropped. 0: a trained detector's own threshold (the one that "
                            + "served best on its validation scenes, recorded at training), else 0.5.")
            .define(DETECTOR_NMS_IOU, Type.DOUBLE, 0.4, Range.between(0.05, 1.0), Importance.LOW,
                    "Of two detections overlapping by more than this IoU, the weaker is dropped.")
            .define(DETECTOR_MAX_FACES, Type.INT, 32, Range.between(1, 1024), Importance.LOW,
                    "Most faces kept per frame (the most confident).")
            .define(CROP_MARGIN, Type.DOUBLE, 0.2, Range.between(0.0, 2.0), Importance.LOW,
                    "How far a face box grows on each side (a fraction of its size) before it is cut for the classifier, "
                            + "for a model that does not say (a model trained on crops records its own margin, which wins).")
            .define(TRACKING_MAX_GAP_FRAMES, Type.INT, 10, Range.between(0, 100_000), Importance.MEDIUM,
                    "A person unseen for more frames than this (missed by the detector, hidden) gets a new track id when "
                            + "seen again.")
            .define(TRACKING_MIN_IOU, Type.DOUBLE, 0.3, Range.between(0.01, 1.0), Importance.LOW,
                    "A face continues a track when its box overlaps the track's last box by at least this IoU (or, "
                            + "failing that, its centre lies within half a face width of it).")
            .define(SHADOW_MAX, Type.INT, 2, Range.between(0, 16), Importance.MEDIUM,
                    "Most SHADOW releases served at once beside the active model (the first to become SHADOW win; the "
                            + "others are logged and not run). Each runs on every micro-batch after the active model's "
                            + "pass, on a thread of its own, and its events go to topic.classifications.shadow only. "
                            + "0: SHADOW releases are ignored.")
            .define(SHADOW_TIMEOUT_MS, Type.LONG, 1_000L, Range.between(0, 60_000), Importance.MEDIUM,
                    "How long (wall clock) a task holds a frame's event, once the active model classified it, for the "
                            + "shadows' verdicts on it, so that they commit in the same transaction; a shadow that has "
                            + "not answered by then is skipped for that frame (maskstream_processor_shadow_skipped_total, "
                            + "reason timeout). So a slow or hung shadow delays the active events by at most this, and "
                            + "never fails them. 0: never hold them (a shadow verdict not ready when the frame's is "
                            + "is skipped, so most of them for a shadow as costly as the active model). With "
                            + "processor.inference.threads=0 shadows run on the stream thread, unbounded like the active pass.")
            .define(SHADOW_QUEUE, Type.INT, 2, Range.between(1, 64), Importance.LOW,
                    "Batches whose shadow passes may wait for the shadow thread; a batch that finds the queue full "
                            + "skips its shadow passes (reason busy) instead of waiting, so shadows slower than the "
                            + "stream never hold up the active events for longer than processor.shadow.timeout.ms.");

    public ProcessorConfig(ConfigSource source) {
        super(DEFINITION, source);
    }

    private static ConfigDef.Validator deviceValidator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String s = String.valueOf(value);
            if (!(s.equals("auto") || s.equals("cpu") || s.matches("gpu(:\\d+)?"))) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "must be auto, cpu, gpu or gpu:N");
            }
        }, () -> "auto, cpu, gpu, gpu:N");
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

    private static ConfigDef.Validator trustedKeysValidator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            for (Object file : (java.util.List<?>) value) {
                try {
                    ReleaseSignatures.readPublicKey(java.nio.file.Path.of(String.valueOf(file).trim()));
                } catch (IllegalArgumentException e) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value, e.getMessage());
                }
            }
        }, () -> "comma-separated Ed25519 public key files (X.509 PEM or DER)");
    }

    /** The keys whose signatures on releases are trusted (none: signatures are not checked). */
    public ReleaseSignatures.TrustedKeys trustedKeys() {
        return ReleaseSignatures.TrustedKeys.read(getList(TRUSTED_KEYS).stream().map(f -> java.nio.file.Path.of(f.trim()))
                .toList());
    }

    /** The static membership this instance keeps in its group. */
    public StreamsMembership membership() {
        return StreamsMembership.of(this, MEMBERSHIP_PREFIX, getString(APPLICATION_ID), getString(STATE_DIR));
    }

    public ComputeSettings computeSettings() {
        return new ComputeSettings(getString(DEVICE), getInt(INTRA_OP_THREADS), getInt(INTER_OP_THREADS));
    }

    public ImageLimits imageLimits() {
        return new ImageLimits(getInt(IMAGE_MIN_SIDE), getLong(IMAGE_MAX_PIXELS),
                getInt(CommonConfig.TOPIC_FRAMES_MAX_BYTES));
    }

    /** How the processor samples MC-dropout passes ({@link McDropout#OFF} when {@link #MC_PASSES} is 0). */
    public McDropout mcDropout() {
        int passes = getInt(MC_PASSES);
        return passes == 0 ? McDropout.OFF : new McDropout(passes, getDouble(MC_DROPOUT), McDropout.SERVING_SEED);
    }

    /** Whether frames go through face detection ({@value #DETECT}) rather than being one face each. */
    public boolean detectFaces() {
        return DETECT.equals(getString(FACES_MODE));
    }

    /** Whether a trained detector's own score threshold applies ({@link #DETECTOR_MIN_SCORE} 0). */
    public boolean detectorMinScoreFromModel() {
        return getDouble(DETECTOR_MIN_SCORE) == 0.0;
    }

    /** The detector's settings; the minimum score is 0.5 where the model's own applies but it recorded none. */
    public DetectorSettings detectorSettings() {
        float minScore = getDouble(DETECTOR_MIN_SCORE).floatValue();
        return new DetectorSettings(minScore > 0f ? minScore : 0.5f, getDouble(DETECTOR_NMS_IOU).floatValue(),
                getInt(DETECTOR_MAX_FACES));
    }

    /** Publishes the processor's keys to the shared configuration catalogue. */
    public static final class Definitions implements ConfigDefinitions {
        @Override
        public String service() {
            return "processor";
        }

        @Override
        public ConfigDef definition() {
            return DEFINITION;
        }
    }
}
