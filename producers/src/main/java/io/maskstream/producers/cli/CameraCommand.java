package io.maskstream.producers.cli;

import io.maskstream.datasets.Frames;

import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.Cameras;
import io.maskstream.producers.CameraSource;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoScenes;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetException;
import io.maskstream.datasets.DatasetProblem;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.producers.dataset.DatasetSource;
import io.maskstream.producers.video.VideoSource;
import io.maskstream.runtime.cli.ConfigOptions;
import io.micrometer.core.instrument.Metrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code maskstream camera ...}: publish frames from synthetic cameras, a dataset folder or a video file/stream.
 * Exit code 0 when every frame was delivered, 1 when a camera failed or frames were rejected or lost (each is
 * logged), 2 for configuration errors.
 */
@Command(name = "camera", mixinStandardHelpOptions = true,
        description = "Publish camera frames to Kafka: synthetic cameras, a dataset folder, or a video file/stream.",
        subcommands = {CameraCommand.Synthetic.class, CameraCommand.Folder.class, CameraCommand.Video.class})
public final class CameraCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code camera synthetic}: N synthetic cameras, the first K of them showing unmasked people at times. */
    @Command(name = "synthetic", mixinStandardHelpOptions = true,
            description = "Run synthetic cameras (procedurally drawn faces) publishing to the frames topic.")
    public static final class Synthetic implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Option(names = "--cameras", defaultValue = "1", description = "Number of cameras (default ${DEFAULT-VALUE}).")
        int cameras;

        @Option(names = "--fps", description = "Frames per second per camera (default: producers.fps).")
        Double fps;

        @Option(names = "--unmasked", defaultValue = "0",
                description = "How many of the cameras (the first ones) show unmasked people for stretches (default ${DEFAULT-VALUE}).")
        int unmasked;

        @Option(names = "--frames", defaultValue = "0",
                description = "Frames per camera, then stop (default ${DEFAULT-VALUE}: run until Ctrl-C).")
        long frames;

        @Option(names = "--camera-prefix", defaultValue = "cam-",
                description = "Camera ids are <prefix>1..<prefix>N (default ${DEFAULT-VALUE}).")
        String prefix;

        @Override
        public Integer call() throws Exception {
            if (cameras < 1 || unmasked < 0 || unmasked > cameras || frames < 0) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "need --cameras >= 1, 0 <= --unmasked <= --cameras and --frames >= 0");
            }
            ProducersConfig cfg = new ProducersConfig(config.source(overrides(fps)));
            List<CameraSource> sources = Cameras.synthetic(cfg, cameras, unmasked, prefix, frames);
            return Runs.run(cfg, new CameraPublisher(cfg, Metrics.globalRegistry, sources), System.out);
        }
    }

    /**
     * {@code camera folder}: the train part (labelled) or the eval part of a competition-layout dataset, or a COCO
     * folder of scenes (labelled, or as plain frames with {@code --eval}).
     */
    @Command(name = "folder", mixinStandardHelpOptions = true,
            description = "Publish a dataset in the competition layout: train images to labeled-frames (keyed by "
                    + "person id), or eval images to frames (keyed by the eval camera id, source = ImageID). "
                    + "A COCO folder (annotations.json beside images/) is published in file order: as scene "
                    + "LabeledFrames with their faces to labeled-frames (keyed by sequence id), or with --eval as "
                    + "plain frames (source = images/<file>).")
    public static final class Folder implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Parameters(index = "0", paramLabel = "DATASET_ROOT",
                description = "Folder holding train/ and/or eval/, or a COCO folder (annotations.json and images/).")
        Path root;

        @ArgGroup(exclusive = true)
        Part part;

        static final class Part {
            @Option(names = "--labeled", description = "Publish train/ (or a COCO folder's scenes) to labeled-frames (the default).")
            boolean labeled;

            @Option(names = "--eval", description = "Publish eval/ (or a COCO folder's images, without labels) to frames.")
            boolean eval;
        }

        @Option(names = "--fps", description = "Images per second (default 0: as fast as Kafka takes them).")
        Double fps;

        @Option(names = "--also-frames", description = "With --labeled: publish each photo to frames too (same camera "
                + "id and sequence), so the live processor classifies it and `evaluate-online` scores it.")
        boolean alsoFrames;

        @Option(names = "--stop-on-error",
                description = "Stop at the first problem (missing/unreadable file, bad name); default: report and go on.")
        boolean stopOnError;

        @Option(names = "--camera-id", description = "Camera id to stamp (default: producers.dataset.train.camera.id "
                + "or producers.dataset.eval.camera.id).")
        String cameraId;

        @Override
        public Integer call() throws Exception {
            Map<String, String> extra = overrides(fps == null ? 0.0 : fps);
            if (stopOnError) {
                extra.put(ProducersConfig.DATASET_FAIL_FAST, "true");
            }
            if (alsoFrames) {
                extra.put(ProducersConfig.LABELED_ALSO_FRAMES, "true");
            }
            ProducersConfig cfg = new ProducersConfig(config.source(extra));
            boolean failFast = cfg.getBoolean(ProducersConfig.DATASET_FAIL_FAST);
            boolean eval = part != null && part.eval;
            String id = cameraId != null ? cameraId
                    : cfg.getString(eval ? ProducersConfig.DATASET_EVAL_CAMERA_ID : ProducersConfig.DATASET_TRAIN_CAMERA_ID);
            double rate = cfg.getDouble(ProducersConfig.FPS);
            if (CocoDataset.isCoco(root)) {
                return coco(cfg, id, rate, failFast, eval);
            }
            DatasetScan scan;
            try {
                scan = CompetitionDataset.scan(root, failFast);
            } catch (DatasetException e) {
                System.err.println("Dataset error: " + e.getMessage());
                return 1;
            }
            System.out.println("Dataset " + root + ": " + scan.summary().describe());
            DatasetSource source = eval ? DatasetSource.eval(scan, id, rate, failFast)
                    : DatasetSource.labeled(scan, id, rate, failFast);
            if (source.size() == 0) {
                System.err.println("Nothing to publish: the " + (eval ? "eval" : "train") + " part holds no usable images");
                return 1;
            }
            int code = Runs.run(cfg, new CameraPublisher(cfg, Metrics.globalRegistry, List.of(source)), System.out);
            List<DatasetProblem> problems = new ArrayList<>(scan.summary().problems());
            problems.addAll(source.problems());
            return report(problems, code);
        }

        /** A COCO folder: any problem in annotations.json stops before anything is published. */
        private int coco(ProducersConfig cfg, String id, double rate, boolean failFast, boolean eval) throws Exception {
            CocoScenes scenes;
            try {
                scenes = CocoDataset.read(root);
            } catch (DatasetException e) {
                System.err.println("Dataset error: " + e.getMessage());
                return 1;
            }
            System.out.println("COCO folder " + root + ": " + scenes.describe());
            DatasetSource source = DatasetSource.scenes(scenes, id, rate, failFast, !eval);
            if (source.size() == 0) {
                System.err.println("Nothing to publish: " + root + " lists no images");
                return 1;
            }
            int code = Runs.run(cfg, new CameraPublisher(cfg, Metrics.globalRegistry, List.of(source)), System.out);
            return report(source.problems(), code);
        }

        private static int report(List<DatasetProblem> problems, int code) {
            if (!problems.isEmpty()) {
                System.out.println(problems.size() + " dataset problem(s):");
                problems.stream().limit(50).forEach(p -> System.out.println("  " + p));
                if (problems.size() > 50) {
                    System.out.println("  ... (" + (problems.size() - 50) + " more in the log)");
                }
                return 1;
            }
            return code;
        }
    }

    /** {@code camera video}: a video file, network stream (RTSP/HTTP/...) or V4L2 webcam. */
    @Command(name = "video", mixinStandardHelpOptions = true,
            description = "Publish a video file, a network stream (rtsp://, http://, ...) or a webcam (/dev/video0) "
                    + "through FFmpeg, sampled at --fps and JPEG-encoded. Files end; live streams reconnect.")
    public static final class Video implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Parameters(index = "0", paramLabel = "FILE_OR_URL", description = "Video file, stream URL or device.")
        String location;

        @Option(names = "--camera-id", required = true, description = "Camera id (the frames' key).")
        String cameraId;

        @Option(names = "--fps", description = "Frames per second to keep (default: producers.fps).")
        Double fps;

        @Option(names = "--format", description = "FFmpeg input format to force, e.g. video4linux2, mjpeg.")
        String format;

        @Option(names = "--quality", description = "JPEG quality 1-100 (default: producers.jpeg.quality).")
        Integer quality;

        @Option(names = "--no-realtime", description = "Read a file as fast as it decodes instead of at its own frame rate.")
        boolean noRealtime;

        @Override
        public Integer call() throws Exception {
            Map<String, String> extra = overrides(fps);
            if (quality != null) {
                extra.put(ProducersConfig.JPEG_QUALITY, String.valueOf(quality));
            }
            if (noRealtime) {
                extra.put(ProducersConfig.VIDEO_REALTIME, "false");
            }
            ProducersConfig cfg = new ProducersConfig(config.source(extra));
            VideoSource source = Cameras.video(cfg, cameraId, location, format, Metrics.globalRegistry);
            return Runs.run(cfg, new CameraPublisher(cfg, Metrics.globalRegistry, List.of(source)), System.out);
        }
    }

    static Map<String, String> overrides(Double fps) {
        Map<String, String> extra = new LinkedHashMap<>();
        if (fps != null) {
            extra.put(ProducersConfig.FPS, String.valueOf(fps));
        }
        return extra;
    }
}
