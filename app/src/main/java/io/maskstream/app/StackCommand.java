package io.maskstream.app;

import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.app.dashboard.DashboardConfig;
import io.maskstream.app.dashboard.DashboardService;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.runtime.metrics.ProcessMetrics;
import org.apache.kafka.streams.KafkaStreams;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraSource;
import io.maskstream.producers.synthetic.LabeledSyntheticCamera;
import io.maskstream.producers.synthetic.SyntheticSceneCamera;
import io.maskstream.synthetic.SceneOptions;
import io.maskstream.synthetic.SyntheticScenes;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.trainer.TrainerConfig;
import io.maskstream.trainer.TrainerService;
import java.util.ArrayList;
import java.util.List;
import io.maskstream.producers.Cameras;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.model.Architectures;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.TopicAdmin;
import io.micrometer.core.instrument.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code maskstream stack}: the whole system on one machine. Starts a real KRaft broker and a real schema
 * registry (unless {@code bootstrap.servers} and {@code schema.registry.url} name existing ones), creates
 * the topics, and runs every service against them until Ctrl-C, which stops everything in reverse order.
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Run the whole stack on this machine (embedded broker and registry by default) until Ctrl-C.")
public final class StackCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(StackCommand.class);

    @Mixin
    ConfigOptions config;

    @Option(names = "--fresh", description = "Delete the stack's data directory first (broker data, models).")
    boolean fresh;

    @Option(names = "--infrastructure-only", description = "Start only the broker and registry and create the topics.")
    boolean infrastructureOnly;

    @Override
    public Integer call() throws Exception {
        StackConfig stack = new StackConfig(config.source());
        Path dataDir = Path.of(stack.getString(StackConfig.DATA_DIR)).toAbsolutePath();
        if (fresh) {
            deleteRecursively(dataDir);
        }
        Files.createDirectories(dataDir);
        try (ServiceRunner runner = new ServiceRunner()) {
            Map<String, String> cluster = new LinkedHashMap<>();
            if (stack.usesExternalCluster()) {
                LOG.info("Using the existing cluster at {} and registry at {}",
                        stack.getList(CommonConfig.BOOTSTRAP_SERVERS), stack.getString(CommonConfig.SCHEMA_REGISTRY_URL));
            } else {
                EmbeddedStack embedded = runner.start(new EmbeddedStack(dataDir, stack.getString(StackConfig.HOST),
                        stack.getInt(StackConfig.KAFKA_PORT), stack.getInt(StackConfig.REGISTRY_PORT), Map.of()));
                cluster.put(CommonConfig.BOOTSTRAP_SERVERS, embedded.bootstrapServers());
                cluster.put(CommonConfig.SCHEMA_REGISTRY_URL, embedded.registryUrl());
            }
            ConfigSource source = config.source(cluster);
            TopicAdmin.ensure(new StackConfig(source));
            String dashboardUrl = null;
            if (!infrastructureOnly) {
                dashboardUrl = startServices(runner, stack, source, dataDir);
            }
            System.out.println("maskstream stack is up: bootstrap.servers="
                    + cluster.getOrDefault(CommonConfig.BOOTSTRAP_SERVERS, String.join(",", stack.getList(CommonConfig.BOOTSTRAP_SERVERS)))
                    + " schema.registry.url=" + cluster.getOrDefault(CommonConfig.SCHEMA_REGISTRY_URL,
                    stack.getString(CommonConfig.SCHEMA_REGISTRY_URL)) + "  (Ctrl-C stops everything)");
            if (dashboardUrl != null) {
                System.out.println("Dashboard: " + dashboardUrl);
                runner.start(new StatusLine(Metrics.globalRegistry, System.out));
            }
            runner.awaitStop();
        }
        return 0;
    }

    /** Starts every service on the stack's cluster; returns the dashboard's URL. */
    private String startServices(ServiceRunner runner, StackConfig stack, ConfigSource source, Path dataDir) throws Exception {
        StreamProcessorService[] processor = new StreamProcessorService[1];
        ProcessMetrics metrics = runner.start(new ProcessMetrics(stack,
                () -> processor[0] != null && processor[0].state() == KafkaStreams.State.RUNNING));
        boolean scenes = stack.getBoolean(StackConfig.SCENES);
        Map<String, String> processorDefaults = new LinkedHashMap<>();
        if (scenes) {
            processorDefaults.put(ProcessorConfig.FACES_MODE, ProcessorConfig.DETECT);
        }
        ProcessorConfig probe = new ProcessorConfig(source);
        if (probe.getString(ProcessorConfig.MODEL_PATH).isBlank()) {
            Path bundle = dataDir.resolve(scenes ? "models/initial-scenes.bundle" : "models/initial.bundle");
            if (!Files.exists(bundle)) {
                Files.createDirectories(bundle.getParent());
                ModelBundle initial = ModelBundle.untrained(stack.getString(StackConfig.ARCHITECTURE), HeadLayout.MULTI_HEAD,
                        "initial-untrained", 42);
                if (scenes) {
                    initial = initial.withDetector(ModelBundle.untrained(Architectures.GRIDNET, HeadLayout.FACE_GRID,
                            "initial-untrained-detector", 42));
                }
                initial.write(bundle);
                LOG.info("Wrote an untrained initial model to {} so frames flow from the first minute", bundle);
            }
            processorDefaults.put(ProcessorConfig.MODEL_PATH, bundle.toString());
        }
        processorDefaults.put(ProcessorConfig.STATE_DIR, dataDir.resolve("streams").toString());
        processor[0] = runner.start(new StreamProcessorService(new ProcessorConfig(withDefaults(source, processorDefaults)),
                Metrics.globalRegistry));
        runner.start(new AlertsService(new AlertsConfig(withDefaults(source,
                Map.of(AlertsConfig.STATE_DIR, dataDir.resolve("alerts-state").toString()))), Metrics.globalRegistry));
        double labeledFps = stack.getDouble(StackConfig.LABELED_FPS);
        if (labeledFps > 0) {
            // The trainer retrains on the labeled stream and hot-swaps better models in while the stack runs.
            // Scenes: a retraining every 600 labeled scenes (a minute at 10/s) on the latest 1200, detector and classifier.
            runner.start(new TrainerService(new TrainerConfig(withDefaults(source, Map.of(
                    TrainerConfig.RETRAIN_EVERY, scenes ? "600" : "1050", TrainerConfig.EPOCHS, "8",
                    TrainerConfig.MAX_FRAMES, scenes ? "1200" : "4200", TrainerConfig.DETECTOR_EPOCHS, "12",
                    TrainerConfig.ARCHITECTURE, stack.getString(StackConfig.ARCHITECTURE),
                    TrainerConfig.OUTPUT_DIR, dataDir.resolve("models").toString()))), Metrics.globalRegistry));
        }
        int cameras = stack.getInt(StackConfig.CAMERAS);
        if (cameras > 0 || labeledFps > 0) {
            ProducersConfig producers = new ProducersConfig(source);
            int unmasked = Math.min(cameras, stack.getInt(StackConfig.UNMASKED_CAMERAS));
            List<CameraSource> sources = new ArrayList<>();
            long seed = producers.getLong(ProducersConfig.SYNTHETIC_SEED);
            if (scenes) {
                // Live cameras: 60-frame walks with up to 4 people; the labeled camera: other people, for the trainer.
                SyntheticScenes live = new SyntheticScenes(new SyntheticFaces(producers.syntheticOptions()),
                        SceneOptions.defaults().withFramesPerSequence(60).withEmptySequenceShare(0));
                for (int i = 1; i <= cameras; i++) {
                    sources.add(new SyntheticSceneCamera("cam-" + i, producers.getDouble(ProducersConfig.FPS), live, false,
                            i * 100_000, 0));
                }
                if (labeledFps > 0) {
                    sources.add(new SyntheticSceneCamera("labeled-synthetic", labeledFps, new SyntheticScenes(
                            new SyntheticFaces(SyntheticOptions.defaults(seed + 1000)), SceneOptions.defaults()), true, 0, 0));
                }
            } else {
                sources.addAll(Cameras.synthetic(producers, cameras, unmasked, "cam-", 0));
                if (labeledFps > 0) {
                    sources.add(new LabeledSyntheticCamera("labeled-synthetic", labeledFps,
                            new SyntheticFaces(SyntheticOptions.defaults(seed + 1000)), 0));
                }
            }
            runner.start(new CameraPublisher(producers, Metrics.globalRegistry, sources));
            LOG.info("{} synthetic {} at {} fps{}{}", cameras, scenes ? "scene cameras (people walking, detect mode)"
                    : "cameras", producers.getDouble(ProducersConfig.FPS), scenes ? "" : " (" + unmasked + " showing unmasked people)",
                    labeledFps > 0 ? ", and labeled photos for the trainer at " + labeledFps + " per second" : "");
        }
        DashboardService dashboard = runner.start(new DashboardService(new DashboardConfig(withDefaults(source,
                Map.of(DashboardConfig.REPORT_DIR, dataDir.resolve("reports").toString()))), Metrics.globalRegistry));
        if (metrics.url() != null) {
            LOG.info("Prometheus metrics at {}/metrics, health at /health and /ready", metrics.url());
        }
        return dashboard.url();
    }

    /** {@code defaults} apply only where the user set nothing. */
    static ConfigSource withDefaults(ConfigSource source, Map<String, String> defaults) {
        Map<String, String> missing = new LinkedHashMap<>();
        defaults.forEach((k, v) -> {
            if (!source.values().containsKey(k)) {
                missing.put(k, v);
            }
        });
        return source.with(missing, "stack default");
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
