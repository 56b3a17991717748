package io.maskstream.app;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of the one-command stack ({@code maskstream stack}). */
public final class StackConfig extends ServiceConfig {

    public static final String HOST = "stack.host";
    public static final String KAFKA_PORT = "stack.kafka.port";
    public static final String REGISTRY_PORT = "stack.registry.port";
    public static final String DATA_DIR = "stack.data.dir";
    public static final String CAMERAS = "stack.cameras";
    public static final String UNMASKED_CAMERAS = "stack.unmasked.cameras";
    public static final String ARCHITECTURE = "stack.model.architecture";
    public static final String LABELED_FPS = "stack.labeled.fps";
    public static final String SCENES = "stack.scenes";

    public static final ConfigDef DEFINITION = CommonConfig.define(new ConfigDef())
            .define(HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Interface the embedded broker and registry bind to (loopback by default).")
            .define(KAFKA_PORT, Type.INT, 9092, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the embedded Kafka broker (0: any free port).")
            .define(REGISTRY_PORT, Type.INT, 8081, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the embedded schema registry (0: any free port).")
            .define(DATA_DIR, Type.STRING, ".maskstream", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Where the stack keeps broker data, logs, datasets and model bundles.")
            .define(CAMERAS, Type.INT, 3, Range.between(0, 64), Importance.MEDIUM,
                    "Synthetic cameras the stack runs (each at producers.fps).")
            .define(UNMASKED_CAMERAS, Type.INT, 1, Range.between(0, 64), Importance.MEDIUM,
                    "Portrait cameras (stack.scenes=false): how many show people without masks (the rest show masked "
                            + "people). Scene cameras show a mix.")
            .define(LABELED_FPS, Type.DOUBLE, 10.0, Range.between(0, 1000), Importance.MEDIUM,
                    "Labeled synthetic photos per second the stack publishes for its trainer (0: none, no retraining).")
            .define(SCENES, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Scenes (people walking through a room, several at once): the cameras show scenes, the processor runs "
                            + "in detect mode and the trainer learns a face detector and a classifier on its crops; until its "
                            + "first scene model is trained (a few minutes) events show few or no faces. false: portrait "
                            + "cameras, one face per frame, whole-frame mode.")
            .define(ARCHITECTURE, Type.STRING, "fastnet", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Network of the stack's first (untrained) model and of the models its trainer trains.");

    public StackConfig(ConfigSource source) {
        super(DEFINITION, source);
    }

    /** True when the user named a cluster and a registry: use them instead of starting embedded ones. */
    public boolean usesExternalCluster() {
        return !"default".equals(source().originOf(CommonConfig.BOOTSTRAP_SERVERS))
                && !"default".equals(source().originOf(CommonConfig.SCHEMA_REGISTRY_URL));
    }

    /** Publishes the stack's keys to the shared configuration catalogue. */
    public static final class Definitions implements ConfigDefinitions {
        @Override
        public String service() {
            return "stack";
        }

        @Override
        public ConfigDef definition() {
            return DEFINITION;
        }
    }
}
