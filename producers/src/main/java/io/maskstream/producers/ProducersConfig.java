package io.maskstream.producers;

import io.maskstream.datasets.Frames;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.producers.synthetic.Scenario;
import io.maskstream.synthetic.SyntheticOptions;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Configuration of the camera producers ({@code maskstream camera ...}). Kafka producer tuning is not here: the
 * producer starts from {@code kafka.*} / {@code kafka.producer.*} and only fills in what the user left unset.
 */
public final class ProducersConfig extends ServiceConfig {

    public static final String FPS = "producers.fps";
    public static final String JPEG_QUALITY = "producers.jpeg.quality";
    public static final String RECONNECT_BACKOFF_INITIAL_MS = "producers.reconnect.backoff.initial.ms";
    public static final String RECONNECT_BACKOFF_MAX_MS = "producers.reconnect.backoff.max.ms";
    public static final String RECONNECT_MAX_ATTEMPTS = "producers.reconnect.max.attempts";
    public static final String STREAM_TIMEOUT_MS = "producers.stream.timeout.ms";
    public static final String RTSP_TRANSPORT = "producers.rtsp.transport";
    public static final String VIDEO_REALTIME = "producers.video.realtime";
    public static final String SYNTHETIC_SEED = "producers.synthetic.seed";
    public static final String SYNTHETIC_WIDTH = "producers.synthetic.width";
    public static final String SYNTHETIC_HEIGHT = "producers.synthetic.height";
    public static final String SYNTHETIC_PERSONS = "producers.synthetic.persons";
    public static final String SYNTHETIC_STRETCH_FRAMES = "producers.synthetic.stretch.frames";
    public static final String SYNTHETIC_NONE_SHARE = "producers.synthetic.unmasked.none.share";
    public static final String SYNTHETIC_INCORRECT_SHARE = "producers.synthetic.incorrect.share";
    public static final String DATASET_FAIL_FAST = "producers.dataset.fail.fast";
    public static final String DATASET_TRAIN_CAMERA_ID = "producers.dataset.train.camera.id";
    public static final String DATASET_EVAL_CAMERA_ID = "producers.dataset.eval.camera.id";
    public static final String CHECK_TOPICS = "producers.check.topics";
    public static final String SHUTDOWN_TIMEOUT_MS = "producers.shutdown.timeout.ms";
    public static final String LABELED_ALSO_FRAMES = "producers.labeled.also.frames";

    public static final ConfigDef DEFINITION = CommonConfig.define(new ConfigDef())
            .define(FPS, Type.DOUBLE, 5.0, Range.between(0, 1000), Importance.HIGH,
                    "Frames per second each camera publishes (0: as fast as the source and Kafka allow). Video "
                            + "sources are sampled down to this rate by dropping frames, never duplicating one: files by their "
                            + "timestamps, live streams by arrival time (MJPEG over HTTP carries no timestamps).")
            .define(JPEG_QUALITY, Type.INT, 85, Range.between(1, 100), Importance.MEDIUM,
                    "JPEG quality (1-100) of frames encoded from video and live streams.")
            .define(RECONNECT_BACKOFF_INITIAL_MS, Type.LONG, 500L, Range.between(1, 3_600_000), Importance.LOW,
                    "First wait before reconnecting a dropped live stream; doubles on each failed attempt.")
            .define(RECONNECT_BACKOFF_MAX_MS, Type.LONG, 30_000L, Range.between(1, 3_600_000), Importance.MEDIUM,
                    "Longest wait between reconnection attempts of a live stream.")
            .define(RECONNECT_MAX_ATTEMPTS, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                    "Consecutive failed reconnection attempts after which a live camera gives up (0: never).")
            .define(STREAM_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(100, 600_000), Importance.MEDIUM,
                    "Network read/open timeout of live streams; a stream silent this long counts as dropped.")
            .define(RTSP_TRANSPORT, Type.STRING, "tcp", ValidString.in("tcp", "udp"), Importance.LOW,
                    "RTSP transport: tcp (interleaved, firewall-friendly) or udp.")
            .define(VIDEO_REALTIME, Type.BOOLEAN, true, Importance.LOW,
                    "Play video files at their own frame rate, like a camera (false: as fast as they decode).")
            .define(SYNTHETIC_SEED, Type.LONG, 42L, Importance.LOW,
                    "Seed of the synthetic face generator; the same seed gives byte-identical images.")
            .define(SYNTHETIC_WIDTH, Type.INT, SyntheticOptions.DEFAULT_WIDTH, Range.between(64, 4096), Importance.LOW,
                    "Width of synthetic frames in pixels.")
            .define(SYNTHETIC_HEIGHT, Type.INT, SyntheticOptions.DEFAULT_HEIGHT, Range.between(64, 4096), Importance.LOW,
                    "Height of synthetic frames in pixels.")
            .define(SYNTHETIC_PERSONS, Type.INT, 200, Range.between(1, 1_000_000), Importance.LOW,
                    "Persons a synthetic camera draws from.")
            .define(SYNTHETIC_STRETCH_FRAMES, Type.INT, 40, Range.between(1, 1_000_000), Importance.LOW,
                    "Frames one person stays in front of a synthetic camera.")
            .define(SYNTHETIC_NONE_SHARE, Type.DOUBLE, 0.6, Range.between(0, 1), Importance.LOW,
                    "Share of stretches in which an 'unmasked' synthetic camera shows a person without a mask.")
            .define(SYNTHETIC_INCORRECT_SHARE, Type.DOUBLE, 0.1, Range.between(0, 1), Importance.LOW,
                    "Share of stretches in which a synthetic camera shows an incorrectly masked person.")
            .define(DATASET_FAIL_FAST, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Stop at the first dataset problem (missing or unreadable file, bad folder name) instead of "
                            + "reporting it and going on.")
            .define(DATASET_TRAIN_CAMERA_ID, Type.STRING, "dataset-train", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Camera id stamped on labelled frames published from a dataset's train part.")
            .define(DATASET_EVAL_CAMERA_ID, Type.STRING, "dataset-eval", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Camera id (record key) of frames published from a dataset's eval part.")
            .define(LABELED_ALSO_FRAMES, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Also publish every labelled photo to the frames topic, as the same camera id and sequence number "
                            + "(the label stays on labeled-frames only): the live processor then classifies it and "
                            + "online evaluation scores the live model against its label.")
            .define(CHECK_TOPICS, Type.BOOLEAN, true, Importance.LOW,
                    "Check at start that the target topics exist (the broker may not create them automatically).")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(0, 600_000), Importance.LOW,
                    "How long stopping waits for cameras to finish their current frame and Kafka to acknowledge "
                            + "frames in flight.");

    public ProducersConfig(ConfigSource source) {
        super(DEFINITION, source);
    }

    /** The synthetic generator's options from this configuration (other options at their defaults). */
    public SyntheticOptions syntheticOptions() {
        return SyntheticOptions.defaults(getLong(SYNTHETIC_SEED)).withSize(getInt(SYNTHETIC_WIDTH), getInt(SYNTHETIC_HEIGHT));
    }

    /** The scenario of a synthetic camera, masked or unmasked. */
    public Scenario scenario(boolean unmasked) {
        int stretch = getInt(SYNTHETIC_STRETCH_FRAMES);
        double incorrect = getDouble(SYNTHETIC_INCORRECT_SHARE);
        return unmasked ? Scenario.unmasked(stretch, getDouble(SYNTHETIC_NONE_SHARE), incorrect)
                : Scenario.masked(stretch, incorrect);
    }

    /** Publishes the producers' keys to the shared configuration catalogue. */
    public static final class Definitions implements ConfigDefinitions {
        @Override
        public String service() {
            return "producers";
        }

        @Override
        public ConfigDef definition() {
            return DEFINITION;
        }
    }
}
