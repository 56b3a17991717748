package io.maskstream.app.bench;

import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.EnsembleVote;
import io.maskstream.model.DetectorSettings;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.FaceDetectors;
import io.maskstream.model.ScenePipeline;
import io.maskstream.synthetic.SceneOptions;
import io.maskstream.synthetic.SyntheticScenes;
import io.maskstream.trainer.TrainerConfig;
import io.maskstream.trainer.TrainingJob;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.model.Compute;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.PreparedImage;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskstream benchmark pipeline}: in one run on this machine, the model's offline throughput (decode +
 * batched inference, no Kafka) at the configured batch size, the processor's end-to-end throughput through a
 * real broker at that batch size and at batch size 1, their ratios, and frame-to-event latency at half the
 * measured maximum rate.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Offline vs end-to-end throughput, batched vs batch-1, and p50/p99 latency, measured in one run.")
public final class PipelineBenchmark implements Callable<Integer> {

    @Option(names = "--frames", defaultValue = "2000", description = "Frames per throughput run.")
    int frames;
    @Option(names = "--batch", defaultValue = "16", description = "The configured max batch size.")
    int batch;
    @Option(names = "--architecture", defaultValue = "fastnet")
    String architecture;
    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads (both sides).")
    int threads;
    @Option(names = "--latency-seconds", defaultValue = "20")
    int latencySeconds;
    @Option(names = "--detect", description = "Scenes instead of portraits: whole-frame mode and detect mode (detector, "
            + "crops, classifier, tracking) side by side on the same synthetic scene frames.")
    boolean detect;
    @Option(names = "--scene-model", paramLabel = "BUNDLE", description = "With --detect: a scene bundle (classifier + "
            + "detector) to serve; without it the benchmark first trains a small one on synthetic scenes.")
    Path sceneModel;
    @Option(names = "--device", defaultValue = "auto", description = "Where both sides infer: auto (a GPU when DJL finds "
            + "one, else the CPU), cpu, gpu or gpu:N. gpu fails at once, naming the cause, where DJL finds no GPU.")
    String device;
    @Option(names = "--cameras", defaultValue = "12", description = "Live-camera run: this many cameras, one partition "
            + "each, paced at --camera-fps, on one processor instance (shared batches) and on one instance per partition "
            + "(a batch per task); 0 skips it.")
    int cameras;
    @Option(names = "--camera-fps", defaultValue = "5", description = "Frames per second of each camera in the live run.")
    double cameraFps;
    @Option(names = "--camera-seconds", defaultValue = "60", description = "Length of each live run.")
    int cameraSeconds;
    @Option(names = "--shadows", defaultValue = "0", description = "Cost of shadow models: the processor alone and with "
            + "this many SHADOW releases (untrained, of --architecture) beside its active model, side by side on the "
            + "same frames through the broker; prints the events/s of both and their ratio. 0: the usual benchmark.")
    int shadows;
    @Option(names = "--rounds", defaultValue = "3", description = "With --shadows: alternate this many runs alone and "
            + "this many with the shadows (alone, shadows, alone, ...), so a machine whose load changes during the run "
            + "weighs on both alike; each run sends --frames frames.")
    int rounds;
    @Option(names = "--processor-set", paramLabel = "KEY=VALUE",
            description = "Processor setting for the pipeline runs (e.g. processor.commit.interval.ms=500). Repeatable.")
    Map<String, String> processorSettings = new HashMap<>();
    @Option(names = "--ensemble", paramLabel = "N", defaultValue = "0", description = "Serving cost of an ensemble: one "
            + "model and a soft-vote ensemble of N models of the same architecture (untrained, seeds 1..N) side by side, "
            + "offline and through the broker at --batch, in the order single, ensemble, ensemble, single (each figure the "
            + "mean of its two runs); 0: the usual benchmark.")
    int ensemble;

    private EmbeddedStack stack;
    private Path dir;
    /** The bundle file the processor runs serve ({@code processor.model.path}). */
    private Path modelFile;
    private ModelBundle bundle;
    private List<byte[]> images;

    @Override
    public Integer call() throws Exception {
        if (device.startsWith("gpu") && Compute.gpuCount() == 0) {
            System.err.println("--device " + device + ": DJL's PyTorch engine finds no GPU on this machine. Run with a CUDA "
                    + "build of libtorch (PYTORCH_LIBRARY_PATH, see README \"GPU\"), or use --device auto / cpu.");
            return 2;
        }
        if (detect) {
            return scenes();
        }
        if (ensemble == 1 || ensemble < 0) {
            System.err.println("--ensemble " + ensemble + ": an ensemble needs at least 2 members (0 turns it off)");
            return 2;
        }
        if (ensemble > 0) {
            return ensembleCost();
        }
        if (shadows > 0) {
            return shadowCost();
        }
        prepareSingleModel();
        System.out.printf("maskstream pipeline benchmark: %s, %d frames of 384x512 JPEG (~%d KB), batch %d, %d intra-op thread(s), "
                + "%d cores, device %s (%d GPU(s) visible)%n", architecture, frames,
                images.stream().mapToInt(b -> b.length).sum() / images.size() / 1024, batch, threads,
                Runtime.getRuntime().availableProcessors(), device, Compute.gpuCount());
        stack = new EmbeddedStack(dir, "127.0.0.1", 0, 0, Map.of());
        stack.start();
        try {
            double[] offlineSplit = new double[2];
            double offline = offline(batch, offlineSplit);
            double offline1 = offline(1, new double[2]);
            double pipeline = pipeline(batch);
            double pipeline1 = pipeline(1);
            long[] latency = latency(batch, pipeline / 2);
            CameraRun shared = cameras > 0 ? cameraRun(true) : null;
            CameraRun perTask = cameras > 0 ? cameraRun(false) : null;
            System.out.println();
            System.out.printf("%-52s %10s%n", "measure", "frames/s");
            System.out.printf("%-52s %10.1f%n", "offline: decode + infer, batch " + batch, offline);
            System.out.printf("%-52s %10.1f%n", "offline: decode + infer, batch 1", offline1);
            System.out.printf("%-52s %10.1f%n", "offline: inference alone (no decode), batch " + batch, 1000 / offlineSplit[1]);
            System.out.printf("%-52s %10.1f%n", "pipeline through the broker (exactly-once), batch " + batch, pipeline);
            System.out.printf("%-52s %10.1f%n", "pipeline through the broker (exactly-once), batch 1", pipeline1);
            System.out.printf("pipeline / offline at batch %d:        %.2fx (target >= 0.9)%n", batch, pipeline / offline);
            System.out.printf("pipeline batch %d / pipeline batch 1:  %.2fx (target >= 2.5)%n", batch, pipeline / pipeline1);
            System.out.printf("offline batch %d / offline batch 1:    %.2fx%n", batch, offline / offline1);
            System.out.printf("frame->event latency at %.0f frames/s (half the max), capture to visible to a read_committed "
                    + "consumer: p50 %d ms, p99 %d ms (%d events; of which capture to event written: p50 %d ms, p99 %d ms; "
                    + "the rest is the wait for the transaction to commit, processor.commit.interval.ms=%d)%n",
                    pipeline / 2, latency[0], latency[1], latency[2], latency[3], latency[4],
                    new ProcessorConfig(ConfigSource.of(settings("x", batch))).getLong(ProcessorConfig.COMMIT_INTERVAL_MS));
            if (shared != null) {
                double rate = cameras * cameraFps;
                double arriving = rate * CAMERA_MAX_DELAY_MS / 1000.0;
                System.out.printf("mean batch (%d partitions, %d cameras at %.0f fps = %.0f frames/s, one instance, max delay %d"
                                + " ms, in which %.2f frames arrive): shared %.2f vs per task %.2f (%.2fx); goal >= %.2f (0.8 x %.2f)%n",
                        cameras, cameras, cameraFps, rate, CAMERA_MAX_DELAY_MS, arriving, shared.meanBatch(), perTask.meanBatch(),
                        shared.meanBatch() / perTask.meanBatch(), 0.8 * arriving, arriving);
                for (CameraRun run : List.of(shared, perTask)) {
                    System.out.printf("  %-44s %7.1f frames/s, %5d frames in %5d passes, single-frame passes %4.1f %%, "
                                    + "capture to event written p50 %d ms, p99 %d ms; passes by size: %s%n", run.label, run.framesPerSecond,
                            run.frames, run.passes, 100.0 * run.histogram.getOrDefault(1, 0L) / run.passes, run.latencyP50,
                            run.latencyP99, run.histogram);
                }
            }
        } finally {
            stack.close();
            stack.kafka().deleteData();
        }
        return 0;
    }

    /**
     * {@code --ensemble N}: what serving an N-member ensemble costs against one of its members, offline (decode + N
     * forward passes) and through the broker, measured in one run in the order single, ensemble, ensemble, single so
     * that a drift in the machine's load weighs on both alike.
     */
    private Integer ensembleCost() throws Exception {
        dir = Files.createTempDirectory("maskstream-bench");
        images = syntheticImages(200);
        ModelBundle single = ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, "bench", 1);
        List<ModelBundle> members = new ArrayList<>();
        for (int i = 1; i <= ensemble; i++) {
            members.add(ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, "bench-m" + i, i));
        }
        ModelBundle ensembleBundle = ModelBundle.ensemble("bench-ensemble", EnsembleVote.SOFT, members);
        Path singleFile = dir.resolve("model.bundle");
        Path ensembleFile = dir.resolve("ensemble.bundle");
        single.write(singleFile);
        ensembleBundle.write(ensembleFile);
        System.out.printf("maskstream pipeline benchmark, ensemble cost: %s, one model vs a %d-member soft-vote ensemble, "
                + "%d frames of 384x512 JPEG per run, batch %d, %d intra-op thread(s), %d cores, device %s%n", architecture,
                ensemble, frames, batch, threads, Runtime.getRuntime().availableProcessors(), device);
        stack = new EmbeddedStack(dir, "127.0.0.1", 0, 0, Map.of());
        stack.start();
        try {
            double[][] offline = new double[2][2];
            double[][] pipeline = new double[2][2];
            int[] order = {0, 1, 1, 0};
            int[] round = new int[2];
            for (int which : order) {
                bundle = which == 0 ? single : ensembleBundle;
                modelFile = which == 0 ? singleFile : ensembleFile;
                offline[which][round[which]] = offline(batch, new double[2]);
                pipeline[which][round[which]] = pipeline(batch);
                System.out.printf("  %s: offline %.1f frames/s, pipeline %.1f events/s%n", which == 0 ? "single" : "ensemble",
                        offline[which][round[which]], pipeline[which][round[which]]);
                round[which]++;
            }
            double offSingle = (offline[0][0] + offline[0][1]) / 2;
            double offEnsemble = (offline[1][0] + offline[1][1]) / 2;
            double pipeSingle = (pipeline[0][0] + pipeline[0][1]) / 2;
            double pipeEnsemble = (pipeline[1][0] + pipeline[1][1]) / 2;
            System.out.println();
            System.out.printf("%-52s %10s %10s %8s%n", "measure (mean of 2 runs each)", "single", ensemble + " models",
                    "ratio");
            System.out.printf("%-52s %10.1f %10.1f %7.2fx%n", "offline: decode + infer, batch " + batch + " (frames/s)",
                    offSingle, offEnsemble, offEnsemble / offSingle);
            System.out.printf("%-52s %10.1f %10.1f %7.2fx%n", "pipeline through the broker, batch " + batch + " (events/s)",
                    pipeSingle, pipeEnsemble, pipeEnsemble / pipeSingle);
        } finally {
            stack.close();
            stack.kafka().deleteData();
        }
        return 0;
    }

    /**
     * {@code --detect}: the same scene frames in whole-frame mode (each frame one centre-cropped face) and in detect
     * mode, offline (no Kafka: detector and classifier time per frame, faces/s) and through the broker (frames/s).
     */
    private Integer scenes() throws Exception {
        dir = Files.createTempDirectory("maskstream-bench");
        SyntheticScenes generator = new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(11)),
                SceneOptions.defaults().withEmptySequenceShare(0));
        images = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            images.add(generator.scene(1000 + i / 20, i % 20).jpeg());
        }
        if (sceneModel == null) {
            sceneModel = trainSceneModel();
        }
        bundle = ModelBundle.read(sceneModel);
        Files.copy(sceneModel, dir.resolve("model.bundle"));
        System.out.printf("maskstream pipeline benchmark, scenes: %s + %s, %d frames of 640x480 JPEG (~%d KB, 1-4 people),"
                        + " batch %d, %d intra-op thread(s), %d cores%n", bundle.metadata().architecture(),
                bundle.detector().map(d -> d.metadata().architecture()).orElse("no detector"), frames,
                images.stream().mapToInt(b -> b.length).sum() / images.size() / 1024, batch, threads,
                Runtime.getRuntime().availableProcessors());
        stack = new EmbeddedStack(dir, "127.0.0.1", 0, 0, Map.of());
        stack.start();
        try {
            ComputeSettings compute = new ComputeSettings(device, threads, 1);
            double offlineWhole;
            long[] sceneTimes = new long[4];
            try (BatchClassifier classifier = Classifiers.load(bundle, compute);
                 FaceDetector detector = FaceDetectors.fromBundle(bundle, compute, DetectorSettings.defaults(), true)) {
                run(classifier, batch, Math.min(200, frames));
                long[] split = run(classifier, batch, frames);
                offlineWhole = frames / ((split[0] + split[1]) / 1e9);
                ScenePipeline pipeline = new ScenePipeline(detector, classifier, ScenePipeline.cropMargin(bundle.metadata(), 0.2));
                runScenes(pipeline, Math.min(100, frames), new long[4]);
                runScenes(pipeline, frames, sceneTimes);
            }
            double offlineDetect = frames / (sceneTimes[3] / 1e9);
            double facesPerSecond = sceneTimes[2] / (sceneTimes[3] / 1e9);
            double[] wholeRun = pipelineScenes(false);
            double[] detectRun = pipelineScenes(true);
            System.out.println();
            System.out.printf("%-58s %10s %10s%n", "measure", "frames/s", "faces/s");
            System.out.printf("%-58s %10.1f %10s%n", "offline whole-frame: decode + classify, batch " + batch, offlineWhole, "-");
            System.out.printf("%-58s %10.1f %10.1f%n", "offline detect: decode + detect + crop + classify, batch " + batch,
                    offlineDetect, facesPerSecond);
            System.out.printf("%-58s %10.1f %10s%n", "pipeline through the broker, whole-frame mode", wholeRun[0], "-");
            System.out.printf("%-58s %10.1f %10.1f%n", "pipeline through the broker, detect mode (with tracking)",
                    detectRun[0], detectRun[1]);
            System.out.printf("detect mode, per frame: detector (letterbox + pass) %.2f ms, crops + classifier %.2f ms over "
                            + "%.2f faces, full-resolution decode %.2f ms%n", sceneTimes[0] / 1e6 / frames, sceneTimes[1] / 1e6 / frames,
                    sceneTimes[2] / (double) frames, (sceneTimes[3] - sceneTimes[0] - sceneTimes[1]) / 1e6 / frames);
            System.out.printf("detect / whole-frame: offline %.2fx, through the broker %.2fx%n", offlineDetect / offlineWhole,
                    detectRun[0] / wholeRun[0]);
        } finally {
            stack.close();
            stack.kafka().deleteData();
        }
        return 0;
    }

    /** The run's folder, its untrained model (written to model.bundle), the synthetic frames; prints the overrides. */
    private void prepareSingleModel() throws IOException {
        dir = Files.createTempDirectory("maskstream-bench");
        bundle = ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, "bench", 1);
        bundle.write(dir.resolve("model.bundle"));
        images = syntheticImages(200);
        if (!processorSettings.isEmpty()) {
            System.out.println("processor settings: " + processorSettings);
        }
    }

    /**
     * {@code --shadows N}: the same frames through a processor serving its active model alone, then with N SHADOW
     * releases beside it (published on the run's own model-releases topic, loaded before the frames are sent),
     * alternating {@code --rounds} times in one run: active events/s of each, the ratios, and how many shadow events
     * came or were skipped.
     */
    private Integer shadowCost() throws Exception {
        prepareSingleModel();
        System.out.printf("maskstream pipeline benchmark, shadow cost: %s, %d frames of 384x512 JPEG, batch %d, %d intra-op "
                        + "thread(s), %d cores, device %s; the processor alone, then with %d shadow(s)%n", architecture, frames,
                batch, threads, Runtime.getRuntime().availableProcessors(), device, shadows);
        stack = new EmbeddedStack(dir, "127.0.0.1", 0, 0, Map.of());
        stack.start();
        try {
            List<ShadowRun> alone = new ArrayList<>();
            List<ShadowRun> beside = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                alone.add(shadowRun(0));
                beside.add(shadowRun(shadows));
            }
            System.out.println();
            System.out.printf("%-5s %-44s %10s %14s %9s%n", "round", "measure", "events/s", "shadow events", "skipped");
            for (int r = 0; r < rounds; r++) {
                for (ShadowRun run : List.of(alone.get(r), beside.get(r))) {
                    System.out.printf("%-5d %-44s %10.1f %14d %9d %s%n", r + 1, run.label(), run.eventsPerSecond(),
                            run.shadowEvents(), run.skipped(), run.skippedBy().isEmpty() ? "" : run.skippedBy());
                }
                System.out.printf("%-5d %-44s %9.2fx%n", r + 1, "with " + shadows + " shadow(s) / alone",
                        beside.get(r).eventsPerSecond() / alone.get(r).eventsPerSecond());
            }
            double aloneTotal = rounds * (double) frames / alone.stream().mapToDouble(x -> frames / x.eventsPerSecond()).sum();
            double besideTotal = rounds * (double) frames / beside.stream().mapToDouble(x -> frames / x.eventsPerSecond()).sum();
            System.out.printf("all %d rounds: alone %.1f events/s, with %d shadow(s) %.1f events/s: %.2fx; shadow events %d of "
                            + "%d, skipped %d%n", rounds, aloneTotal, shadows, besideTotal, besideTotal / aloneTotal,
                    beside.stream().mapToLong(ShadowRun::shadowEvents).sum(), (long) rounds * shadows * frames,
                    beside.stream().mapToLong(ShadowRun::skipped).sum());
        } finally {
            stack.close();
            stack.kafka().deleteData();
        }
        return 0;
    }

    private record ShadowRun(String label, double eventsPerSecond, long shadowEvents, long skipped,
                             java.util.SortedMap<String, Long> skippedBy) {
    }

    private ShadowRun shadowRun(int n) throws Exception {
        String name = "bench-shadow" + n + "-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> s = settings(name, batch);
        s.put("topic.classifications.shadow", name + "-shadow");
        s.put("topic.model.releases", name + "-releases");
        s.put("topic.model.artifacts", name + "-artifacts");
        s.put(ProcessorConfig.FOLLOW_RELEASES, "true");
        s.put(ProcessorConfig.SHADOW_MAX, String.valueOf(Math.max(n, 1)));
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(s));
        TopicAdmin.ensure(config);
        for (int k = 0; k < n; k++) {
            ModelBundle shadow = ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, "bench-shadow-" + k, 100 + k);
            byte[] bytes = shadow.toBytes();
            Instant now = Instant.now();
            String uri = new ArtifactStore(config).publish(shadow.metadata().version(), bytes, shadow.sha256());
            new ReleaseLog(config).publish(ModelRelease.newBuilder().setVersion(shadow.metadata().version())
                    .setArchitecture(architecture).setInputWidth(shadow.metadata().input().width())
                    .setInputHeight(shadow.metadata().input().height()).setStatus(ReleaseStatus.SHADOW)
                    .setCreatedTime(now).setStatusTime(now).setSha256(shadow.sha256()).setArtifactUri(uri)
                    .setArtifactBytes(bytes.length).setTrainingData("benchmark: untrained").setMetrics(null)
                    .setNotes(null).build());
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (StreamProcessorService processor = new StreamProcessorService(config, meters);
             KafkaConsumer<String, Classification> consumer = consumer();
             KafkaConsumer<String, Classification> shadowConsumer = consumer()) {
            processor.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while ((processor.trials().shadowVersions().size() < n
                    || processor.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (processor.trials().shadowVersions().size() < n) {
                throw new IllegalStateException("only " + processor.trials().shadowVersions() + " of " + n
                        + " shadows serve after 3 minutes");
            }
            try (KafkaProducer<String, Frame> producer = producer()) {
                for (int i = 0; i < frames; i++) {
                    producer.send(new ProducerRecord<>(s.get("topic.frames"), "cam-" + (i % 4), frame("cam-" + (i % 4), i)));
                }
                producer.flush();
            }
            List<Classification> events = collect(consumer, s.get("topic.classifications"), frames, Duration.ofMinutes(10));
            long shadowEvents = 0;
            if (n > 0) { // they leave with the active events, in the same transactions: all there once those are
                shadowConsumer.subscribe(List.of(s.get("topic.classifications.shadow")));
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (shadowEvents < (long) n * frames && System.nanoTime() < until) {
                    shadowEvents += shadowConsumer.poll(Duration.ofMillis(200)).count();
                }
            }
            java.util.SortedMap<String, Long> skippedBy = new java.util.TreeMap<>();
            meters.find("maskstream.processor.shadow.skipped").counters().forEach(c -> skippedBy.merge(
                    c.getId().getTag("reason"), Math.round(c.count()), Long::sum));
            long skipped = skippedBy.values().stream().mapToLong(Long::longValue).sum();
            return new ShadowRun(n == 0 ? "pipeline, active model alone" : "pipeline, active model + " + n + " shadow(s)",
                    (events.size() - 1) / seconds(events), shadowEvents, skipped, skippedBy);
        }
    }

    /** A small scene model: trained on synthetic scenes for the benchmark only (its accuracy is not the point). */
    private Path trainSceneModel() throws Exception {
        System.out.println("No --scene-model: training a small one on 240 synthetic scenes first (a few minutes)...");
        Path coco = dir.resolve("scenes");
        new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(5)), SceneOptions.defaults()).writeCoco(coco, 12, 2);
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.EPOCHS, "3",
                TrainerConfig.DETECTOR_EPOCHS, "10", TrainerConfig.OUTPUT_DIR, dir.resolve("models").toString(),
                TrainerConfig.THREADS, String.valueOf(threads))));
        TrainingJob job = new TrainingJob(config);
        return job.runScenes(job.loadSceneFolder(coco), "benchmark scenes", false, false).bundleFile();
    }

    /** Returns detector ns, classifier ns, faces, and total ns (decode included). */
    private void runScenes(ScenePipeline pipeline, int n, long[] out) throws Exception {
        List<DecodedImage> pending = new ArrayList<>(batch);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            pending.add(pipeline.classifier().preprocessor().decode(images.get(i % images.size())));
            if (pending.size() == batch || i == n - 1) {
                ScenePipeline.Timing[] t = new ScenePipeline.Timing[1];
                pipeline.run(pending, false, t);
                out[0] += t[0].detectNanos();
                out[1] += t[0].classifyNanos();
                out[2] += t[0].crops();
                pending.clear();
            }
        }
        out[3] = System.nanoTime() - start;
    }

    /** Frames already on the topic, processor started in either mode: events/s and faces/s between first and last event. */
    private double[] pipelineScenes(boolean detectMode) throws Exception {
        String name = "bench-scenes-" + (detectMode ? "detect" : "whole") + "-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> s = settings(name, batch);
        if (detectMode) {
            s.put(ProcessorConfig.FACES_MODE, ProcessorConfig.DETECT);
        }
        List<Classification> events = drain(s);
        double seconds = seconds(events);
        long faces = events.stream().mapToLong(e -> e.getFaces().size()).sum();
        return new double[] {(events.size() - 1) / seconds, faces / seconds};
    }

    /** The live-camera run's max batch delay: the processor's default. */
    private static final long CAMERA_MAX_DELAY_MS = 50;

    /** What a live-camera run measured; the histogram counts forward passes by the frames they held. */
    private record CameraRun(String label, int frames, long passes, java.util.SortedMap<Integer, Long> histogram,
                             double framesPerSecond, long latencyP50, long latencyP99) {
        double meanBatch() {
            return frames / (double) passes;
        }
    }

    /**
     * {@link #cameras} cameras, one partition each, paced at {@link #cameraFps} from random phases for
     * {@link #cameraSeconds}, through one processor instance (its tasks share batches) or through one instance per
     * partition (each batch holds one task's frames, which is what batching per task gives). Passes are counted from
     * the events: a pass of k frames gives k events that each say k.
     */
    private CameraRun cameraRun(boolean shared) throws Exception {
        String name = "bench-cams-" + (shared ? "shared" : "pertask") + "-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> s = settings(name, batch);
        s.put("topic.partitions", String.valueOf(cameras));
        s.put(ProcessorConfig.MAX_BATCH_DELAY_MS, String.valueOf(CAMERA_MAX_DELAY_MS));
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(s));
        TopicAdmin.ensure(config);
        int instances = shared ? 1 : cameras;
        List<StreamProcessorService> services = new ArrayList<>();
        int n = (int) Math.round(cameras * cameraFps * cameraSeconds);
        try (KafkaConsumer<String, Classification> consumer = consumer();
             KafkaProducer<String, Frame> producer = producer()) {
            for (int i = 0; i < instances; i++) {
                Map<String, String> own = new HashMap<>(s);
                own.put(ProcessorConfig.STATE_DIR, s.get(ProcessorConfig.STATE_DIR) + "-" + i);
                StreamProcessorService service = new StreamProcessorService(new ProcessorConfig(ConfigSource.of(own)),
                        new SimpleMeterRegistry());
                services.add(service);
                service.start();
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (services.stream().anyMatch(p -> p.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            for (int c = 0; c < cameras; c++) { // one frame per partition: every task is assigned and warm
                producer.send(new ProducerRecord<>(s.get("topic.frames"), c, "warm-" + c, frame("warm-" + c, 0)));
            }
            producer.flush();
            collect(consumer, s.get("topic.classifications"), cameras, Duration.ofMinutes(3));
            Thread.sleep(2000);
            System.out.printf("  live run, %s: %d instance(s) running; pacing %d frames...%n", shared ? "shared" : "per task",
                    instances, n);
            java.util.Random random = new java.util.Random(42);
            long periodNanos = (long) (1e9 / cameraFps);
            long start = System.nanoTime();
            long[] next = new long[cameras];
            long[] seq = new long[cameras];
            for (int c = 0; c < cameras; c++) {
                next[c] = start + (long) (random.nextDouble() * periodNanos);
            }
            for (int sent = 0; sent < n; sent++) {
                int c = 0;
                for (int k = 1; k < cameras; k++) {
                    if (next[k] < next[c]) {
                        c = k;
                    }
                }
                long wait = next[c] - System.nanoTime();
                if (wait > 0) { // sleep, not spin: a spinning sender would take one of the machine's cores from the rest
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                next[c] += periodNanos;
                producer.send(new ProducerRecord<>(s.get("topic.frames"), c, "cam-" + c, frame("cam-" + c, ++seq[c])));
            }
            producer.flush();
            List<Classification> events = collect(consumer, s.get("topic.classifications"), n, Duration.ofMinutes(5));
            java.util.SortedMap<Integer, Long> framesBySize = new java.util.TreeMap<>();
            events.forEach(e -> framesBySize.merge(e.getBatchSize(), 1L, Long::sum));
            java.util.SortedMap<Integer, Long> passes = new java.util.TreeMap<>();
            framesBySize.forEach((size, count) -> passes.put(size, Math.round(count / (double) size)));
            long total = passes.values().stream().mapToLong(Long::longValue).sum();
            long[] latency = events.stream().mapToLong(Classification::getLatencyMs).sorted().toArray();
            return new CameraRun(shared ? "shared (1 instance, " + cameras + " tasks)"
                    : "per task (" + cameras + " instances of 1 task)", events.size(), total, passes,
                    (events.size() - 1) / seconds(events), percentile(latency, 0.5), percentile(latency, 0.99));
        } finally {
            for (StreamProcessorService service : services) {
                service.close();
            }
        }
    }

    private List<byte[]> syntheticImages(int n) {
        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(7));
        List<byte[]> out = new ArrayList<>();
        MaskState[] states = MaskState.values();
        for (int i = 0; i < n; i++) {
            out.add(faces.jpeg(faces.person(i), states[i % 3], i));
        }
        return out;
    }

    /** Decode + batched inference in one thread, no Kafka: the ceiling for the pipeline. */
    private double offline(int batchSize, double[] msPerFrame) throws Exception {
        try (BatchClassifier classifier = Classifiers.load(bundle, new ComputeSettings(device, threads, 1))) {
            run(classifier, batchSize, Math.min(200, frames)); // warm-up
            long[] split = run(classifier, batchSize, frames);
            msPerFrame[0] = split[0] / 1e6 / frames;
            msPerFrame[1] = split[1] / 1e6 / frames;
            System.out.printf("  offline batch %-3d: decode %.2f ms/frame, inference %.2f ms/frame%n", batchSize,
                    msPerFrame[0], msPerFrame[1]);
            return frames / ((split[0] + split[1]) / 1e9);
        }
    }

    /** Returns nanoseconds spent decoding and inferring. */
    private long[] run(BatchClassifier classifier, int batchSize, int n) throws Exception {
        List<PreparedImage> pending = new ArrayList<>(batchSize);
        long decode = 0;
        long infer = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            pending.add(classifier.preprocessor().prepare(images.get(i % images.size())));
            long t1 = System.nanoTime();
            decode += t1 - t0;
            if (pending.size() == batchSize || i == n - 1) {
                classifier.classify(pending, false);
                pending.clear();
                infer += System.nanoTime() - t1;
            }
        }
        return new long[] {decode, infer};
    }

    private Map<String, String> settings(String name, int batchSize) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", stack.bootstrapServers());
        s.put("schema.registry.url", stack.registryUrl());
        s.put("topic.frames", name + "-frames");
        s.put("topic.classifications", name + "-classifications");
        s.put("topic.partitions", "1");
        s.put(ProcessorConfig.APPLICATION_ID, name);
        s.put(ProcessorConfig.MODEL_PATH, (modelFile != null ? modelFile : dir.resolve("model.bundle")).toString());
        s.put(ProcessorConfig.FOLLOW_RELEASES, "false");
        s.put(ProcessorConfig.MAX_BATCH_SIZE, String.valueOf(batchSize));
        s.put(ProcessorConfig.MAX_BATCH_DELAY_MS, "50");
        s.put(ProcessorConfig.INTRA_OP_THREADS, String.valueOf(threads));
        s.put(ProcessorConfig.INTER_OP_THREADS, "1");
        s.put(ProcessorConfig.DEVICE, device);
        s.put(ProcessorConfig.STATE_DIR, dir.resolve("state-" + name).toString());
        s.putAll(processorSettings);
        return s;
    }

    /** Frames already on the topic, processor started: events/s between its first and last event. */
    private double pipeline(int batchSize) throws Exception {
        List<Classification> events = drain(settings("bench-b" + batchSize + "-" + UUID.randomUUID().toString().substring(0, 6),
                batchSize));
        return (events.size() - 1) / seconds(events);
    }

    /** Puts {@link #frames} frames on a fresh topic, then runs a processor with {@code s} until all their events are in. */
    private List<Classification> drain(Map<String, String> s) throws Exception {
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(s));
        TopicAdmin.ensure(config);
        try (KafkaProducer<String, Frame> producer = producer()) {
            for (int i = 0; i < frames; i++) {
                producer.send(new ProducerRecord<>(s.get("topic.frames"), "cam-" + (i % 4), frame("cam-" + (i % 4), i)));
            }
            producer.flush();
        }
        try (StreamProcessorService processor = new StreamProcessorService(config, new SimpleMeterRegistry());
             KafkaConsumer<String, Classification> consumer = consumer()) {
            processor.start();
            return collect(consumer, s.get("topic.classifications"), frames, Duration.ofMinutes(10));
        }
    }

    /** Seconds between the first and the last event's emission. */
    private static double seconds(List<Classification> events) {
        long first = events.stream().mapToLong(e -> e.getProcessedTime().toEpochMilli()).min().orElseThrow();
        long last = events.stream().mapToLong(e -> e.getProcessedTime().toEpochMilli()).max().orElseThrow();
        return Math.max(1e-3, (last - first) / 1000.0);
    }

    /**
     * Frames paced at {@code rate} while the processor runs. Latency is measured where a user sees it: from the
     * frame's capture time to the moment a {@code read_committed} consumer (polling all along, in this process, so
     * on the same clock) receives its event, which includes waiting for the transaction to commit. Returns p50 and
     * p99 of that, the count, and p50 and p99 of the processor's own part (capture to event written, the events'
     * {@code latencyMs}).
     */
    private long[] latency(int batchSize, double rate) throws Exception {
        String name = "bench-lat-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> s = settings(name, batchSize);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(s));
        TopicAdmin.ensure(config);
        int n = (int) Math.max(50, rate * latencySeconds);
        try (StreamProcessorService processor = new StreamProcessorService(config, new SimpleMeterRegistry());
             KafkaConsumer<String, Classification> consumer = consumer();
             KafkaProducer<String, Frame> producer = producer()) {
            processor.start();
            // let the group settle before pacing starts
            producer.send(new ProducerRecord<>(s.get("topic.frames"), "warm", frame("warm", 0))).get();
            collect(consumer, s.get("topic.classifications"), 1, Duration.ofMinutes(2));
            List<long[]> seen = java.util.Collections.synchronizedList(new ArrayList<>(n));
            Thread reader = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (seen.size() < n && System.nanoTime() < deadline) {
                    for (var r : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.currentTimeMillis();
                        seen.add(new long[] {now - r.value().getCaptureTime().toEpochMilli(), r.value().getLatencyMs()});
                    }
                }
            }, "bench-latency-reader");
            reader.start();
            long intervalNanos = (long) (1e9 / rate);
            long next = System.nanoTime();
            for (int i = 0; i < n; i++) {
                while (System.nanoTime() < next) {
                    Thread.onSpinWait();
                }
                next += intervalNanos;
                producer.send(new ProducerRecord<>(s.get("topic.frames"), "cam-" + (i % 4), frame("cam-" + (i % 4), i + 1)));
            }
            producer.flush();
            reader.join();
            if (seen.size() < n) {
                throw new IllegalStateException("only " + seen.size() + " of " + n + " events arrived");
            }
            long[] visible = seen.stream().mapToLong(v -> v[0]).sorted().toArray();
            long[] written = seen.stream().mapToLong(v -> v[1]).sorted().toArray();
            return new long[] {percentile(visible, 0.5), percentile(visible, 0.99), visible.length,
                percentile(written, 0.5), percentile(written, 0.99)};
        }
    }

    private static long percentile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))];
    }

    private Frame frame(String camera, long seq) {
        byte[] img = images.get((int) (seq % images.size()));
        return Frame.newBuilder().setCameraId(camera).setSequence(seq).setCaptureTime(Instant.now())
                .setImage(ByteBuffer.wrap(img)).setContentType("image/jpeg").setWidth(detect ? 640 : 384)
                .setHeight(detect ? 480 : 512).setSource(null)
                .build();
    }

    private KafkaProducer<String, Frame> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", stack.bootstrapServers());
        p.put("acks", "all");
        p.put("enable.idempotence", true);
        p.put("linger.ms", 5);
        p.put("batch.size", 1 << 20);
        AvroSerializer<Frame> ser = new AvroSerializer<>();
        ser.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
        return new KafkaProducer<>(p, new StringSerializer(), ser);
    }

    private KafkaConsumer<String, Classification> consumer() {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", stack.bootstrapServers());
        p.put("group.id", "bench-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        return new KafkaConsumer<>(p, new StringDeserializer(),
                new AvroDeserializer<>(SchemaRegistryClient.shared(stack.registryUrl(), null), Classification.class));
    }

    private static List<Classification> collect(KafkaConsumer<String, Classification> consumer, String topic, int n,
                                                Duration timeout) {
        consumer.subscribe(List.of(topic));
        List<Classification> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(r -> out.add(r.value()));
        }
        if (out.size() < n) {
            throw new IllegalStateException("only " + out.size() + " of " + n + " events arrived");
        }
        return out;
    }

}
