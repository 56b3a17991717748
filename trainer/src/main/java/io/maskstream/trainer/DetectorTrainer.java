package io.maskstream.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.maskstream.evaluation.metrics.DetectionMetrics;
import io.maskstream.model.Architectures;
import io.maskstream.model.Box;
import io.maskstream.model.BundleMetadata;
import io.maskstream.model.Compute;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.Detection;
import io.maskstream.model.DetectorSettings;
import io.maskstream.model.FaceGrid;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.InputSpec;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.Letterbox;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.PreparedImage;
import io.maskstream.model.TrainedFaceDetector;
import io.maskstream.runtime.Progress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the face detector (gridnet, {@link HeadLayout#FACE_GRID}) on labeled scenes and returns its bundle: frames
 * letterboxed by the model module's {@link ImagePreprocessor#letterbox} (exactly what {@link TrainedFaceDetector}
 * does when serving), targets from {@link FaceGrid#encode}, {@link GridLoss}, Adam with a cosine learning-rate decay,
 * and {@link SceneAugmenter}'s flips, scale jitter and colour jitter. Each epoch logs its loss and, given validation
 * scenes, the detector's precision, recall per key and AP50 on them ({@link DetectionMetrics}).
 *
 * <p>A pure component: scenes in, bundle out, no Kafka. Everything random (initialisation, order, augmentation) comes
 * from the seed. The bundle holds the last epoch's weights: validation never chooses an epoch. It does choose the
 * score threshold to serve at (the lowest whose validation precision is at least {@value #TARGET_PRECISION} at an F1
 * close to the best, else the best F1, {@link Result#minScore()}): the grid's scores are
 * Gaussian-target peaks, whose right threshold depends on how long training ran, so it is measured, not assumed;
 * validate on scenes kept apart from the test scenes.
 */
public final class DetectorTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(DetectorTrainer.class);

    /**
     * The validation precision the served score threshold must keep: the lowest threshold that keeps it is chosen, so
     * the detector finds as many faces as it can at that precision (a missed person is invisible to the alerts; a false
     * box costs one crop). When no threshold keeps it at an F1 within {@link #MAX_F1_GIVEN_UP} of the best (a weak
     * detector keeps it only where it finds almost nothing), the one with the best F1.
     */
    static final double TARGET_PRECISION = 0.95;

    /** How much validation F1 the recall-first threshold may give up against the best-F1 one before the latter wins. */
    static final double MAX_F1_GIVEN_UP = 0.02;

    /** Training-summary key of the score threshold chosen on the validation scenes. */
    public static final String MIN_SCORE_KEY = io.maskstream.model.FaceDetectors.SUGGESTED_MIN_SCORE_KEY;
    /** Thresholds tried when choosing it: 0.10, 0.15, ... 0.90. */
    private static final float[] THRESHOLDS = thresholds();

    /**
     * How to train.
     *
     * @param epochs        passes over the training scenes
     * @param batchSize     frames per step
     * @param learningRate  Adam's initial rate, decayed by a cosine to 5% of it
     * @param weightDecay   L2 weight decay
     * @param scaleJitter   faces scaled by up to {@code 1 ± scaleJitter} in half the frames (0: none)
     * @param augment       whether to flip, jitter scale and colours at all
     * @param seed          the one seed of everything random
     * @param input         the network's input (sides multiples of 32)
     * @param compute       where to train
     * @param validation    how validation turns the grid into faces (score threshold, NMS)
     */
    public record Options(int epochs, int batchSize, float learningRate, float weightDecay, double scaleJitter,
                          boolean augment, long seed, InputSpec input, ComputeSettings compute, DetectorSettings validation) {

        /** Validates. */
        public Options {
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batch size must be >= 1, got " + epochs + " and " + batchSize);
            }
            if (!(learningRate > 0) || !(weightDecay >= 0) || !(scaleJitter >= 0 && scaleJitter < 1)) {
                throw new IllegalArgumentException("learning rate must be > 0, weight decay >= 0, scale jitter within [0, 1)");
            }
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(compute, "compute");
            Objects.requireNonNull(validation, "validation");
        }

        /**
         * 20 epochs of 8 frames at 2e-3, scale jitter ±25%, the 256×192 input, on the best device. Batches of 8 rather
         * than 16: the same compute in twice the steps, measured better (held-out recall 0.897 against 0.863 after 30
         * epochs of 450 synthetic frames).
         */
        public static Options defaults(long seed) {
            return new Options(20, 8, 2e-3f, 5e-5f, 0.25, true, seed, Architectures.defaultInput(Architectures.GRIDNET),
                    ComputeSettings.defaults(), DetectorSettings.defaults());
        }

        /** The same options with another number of epochs. */
        public Options withEpochs(int n) {
            return new Options(n, batchSize, learningRate, weightDecay, scaleJitter, augment, seed, input, compute, validation);
        }

        /** The same options with another batch size. */
        public Options withBatchSize(int n) {
            return new Options(epochs, n, learningRate, weightDecay, scaleJitter, augment, seed, input, compute, validation);
        }

        /** The same options with another input size. */
        public Options withInput(InputSpec spec) {
            return new Options(epochs, batchSize, learningRate, weightDecay, scaleJitter, augment, seed, spec, compute,
                    validation);
        }

        String recipe() {
            return String.format(Locale.ROOT, "gridnet %dx%d, %d epochs, batch %d, adam lr %.0e cosine, wd %.0e, %s, seed %d",
                    input.width(), input.height(), epochs, batchSize, learningRate, weightDecay,
                    augment ? "flip + scale ±" + Math.round(scaleJitter * 100) + "% + colour" : "no augmentation", seed);
        }
    }

    /** One epoch: mean losses over its steps and, when validation scenes were given, the detector's figures on them. */
    public record Epoch(int epoch, double loss, double objectnessLoss, double boxLoss, DetectionMetrics validation,
                        double seconds) {
    }

    /**
     * The detector's bundle and how training went. {@code minScore} is the score threshold that gave the best F1 on the
     * validation scenes (NaN without validation scenes); the bundle's training summary carries it as
     * {@value #MIN_SCORE_KEY}.
     */
    public record Result(ModelBundle bundle, List<Epoch> history, double trainingSeconds, double minScore) {

        /** The last epoch's validation figures, or null when there were no validation scenes. */
        public DetectionMetrics validation() {
            return history.get(history.size() - 1).validation();
        }
    }

    private final Options options;

    public DetectorTrainer(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The preprocessing of the detector: frames are letterboxed to {@link Options#input()}. */
    public ImagePreprocessor preprocessor() {
        return new ImagePreprocessor(options.input(), ImageLimits.defaults());
    }

    /**
     * Trains on {@code train}, reports on {@code validation} (may be empty) after every epoch, and returns the last
     * epoch's detector as a bundle of model version {@code version}.
     *
     * @throws CancellationException when the thread is interrupted between steps
     * @throws IllegalArgumentException if there is nothing to train on
     */
    public Result train(List<LabeledScene> train, List<LabeledScene> validation, String version) throws InvalidModelException {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no scenes to train the face detector on");
        }
        InputSpec input = options.input();
        ComputeSettings compute = options.compute();
        Engine engine = Compute.engine(compute);
        Device device = Compute.device(compute);
        engine.setRandomSeed((int) options.seed());
        ImagePreprocessor preprocessor = preprocessor();
        FaceGrid grid = FaceGrid.of(input);
        List<Letterboxed> scenes = letterbox(train, preprocessor);
        long faces = train.stream().mapToLong(s -> s.faces().size()).sum();
        int batchSize = Math.min(options.batchSize(), scenes.size());
        int stepsPerEpoch = (scenes.size() + batchSize - 1) / batchSize;
        Random order = new Random(options.seed());
        SceneAugmenter augmenter = new SceneAugmenter(options.seed() * 31 + 7, options.scaleJitter());
        GridLoss loss = new GridLoss(1f);
        BundleMetadata metadata = BundleMetadata.of(version, Architectures.GRIDNET, HeadLayout.FACE_GRID, input, Map.of());
        Block block = Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID);
        LOG.info("Training face detector on {} frames ({} faces), validating on {} frames, on {}: {}", scenes.size(), faces,
                validation.size(), device, options.recipe());

        List<Epoch> history = new ArrayList<>();
        double trainingSeconds = 0;
        double minScore = Double.NaN;
        ModelBundle bundle;
        try (Model model = Model.newInstance("maskstream-detector", device, "PyTorch")) {
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(optimizer(options.epochs() * stepsPerEpoch))
                    .optDevices(new Device[] {device});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, 3, input.height(), input.width()));
                for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                    long start = System.nanoTime();
                    List<Letterboxed> shuffled = new ArrayList<>(scenes);
                    Collections.shuffle(shuffled, order);
                    Progress progress = new Progress("detector epoch " + epoch + "/" + options.epochs(), shuffled.size());
                    double[] sums = new double[3];
                    int steps = 0;
                    for (int from = 0; from + batchSize <= shuffled.size(); from += batchSize) {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new CancellationException("detector training stopped at epoch " + epoch + " (interrupted)");
                        }
                        List<Letterboxed> batch = shuffled.subList(from, from + batchSize);
                        float[] terms = step(trainer, batch, augmenter, preprocessor, grid, device);
                        for (int k = 0; k < 3; k++) {
                            sums[k] += terms[k];
                        }
                        steps++;
                        progress.step(batch.size(), String.format(Locale.ROOT, "loss %.4f", sums[0] / steps));
                    }
                    progress.done();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    trainingSeconds += seconds;
                    DetectionMetrics figures = validation.isEmpty() ? null
                            : evaluate(TrainedFaceDetector.wrap(block, metadata, compute, options.validation()), validation,
                                    options.batchSize());
                    Epoch e = new Epoch(epoch, sums[0] / steps, sums[1] / steps, sums[2] / steps, figures, seconds);
                    history.add(e);
                    LOG.info(String.format(Locale.ROOT, "detector epoch %d/%d: loss %.4f (objectness %.4f, box %.4f), %.1f s%s",
                            epoch, options.epochs(), e.loss(), e.objectnessLoss(), e.boxLoss(), seconds,
                            figures == null ? "" : "; validation " + figures));
                }
            }
            Map<String, String> summary = summary(train, validation, history, trainingSeconds, device);
            if (!validation.isEmpty()) {
                DetectorSettings low = new DetectorSettings(THRESHOLDS[0], options.validation().nmsIou(),
                        options.validation().maxFaces());
                try (TrainedFaceDetector detector = TrainedFaceDetector.wrap(block, metadata, compute, low)) {
                    minScore = chooseMinScore(detect(detector, validation, options.batchSize()), validation, summary);
                }
            }
            bundle = ModelBundle.fromBlock(block, BundleMetadata.of(version, Architectures.GRIDNET, HeadLayout.FACE_GRID,
                    input, summary));
        }
        return new Result(bundle, List.copyOf(history), trainingSeconds, minScore);
    }

    /**
     * The lowest threshold whose precision on the validation scenes is at least {@link #TARGET_PRECISION} if its F1 is
     * within {@link #MAX_F1_GIVEN_UP} of the best, else the one with the best F1 (ties: the higher one). Non-maximum suppression only ever
     * lets a higher score suppress a lower one, so filtering detections made at the lowest threshold gives exactly the
     * detections each higher threshold would have made.
     */
    private static double chooseMinScore(List<List<Detection>> found, List<LabeledScene> validation,
                                         Map<String, String> summary) {
        float bestF1Threshold = Float.NaN;
        double bestF1 = -1;
        DetectionMetrics bestF1Metrics = null;
        float recallFirst = Float.NaN;
        DetectionMetrics recallFirstMetrics = null;
        double recallFirstF1 = -1;
        for (float t : THRESHOLDS) {
            DetectionMetrics m = new DetectionMetrics();
            for (int i = 0; i < validation.size(); i++) {
                List<Detection> kept = new ArrayList<>();
                for (Detection d : found.get(i)) {
                    if (d.score() >= t) {
                        kept.add(d);
                    }
                }
                m.add(validation.get(i).faces(), kept);
            }
            double p = m.precision();
            double r = m.recall();
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            if (f1 >= bestF1) {
                bestF1 = f1;
                bestF1Threshold = t;
                bestF1Metrics = m;
            }
            if (Float.isNaN(recallFirst) && p >= TARGET_PRECISION) {
                recallFirst = t; // thresholds ascend: the first that keeps the precision finds the most faces
                recallFirstMetrics = m;
                recallFirstF1 = f1;
            }
        }
        // A weak detector keeps the precision only at thresholds where it finds next to nothing: then the best F1.
        boolean floor = !Float.isNaN(recallFirst) && recallFirstF1 >= bestF1 - MAX_F1_GIVEN_UP;
        float best = floor ? recallFirst : bestF1Threshold;
        DetectionMetrics bestMetrics = floor ? recallFirstMetrics : bestF1Metrics;
        summary.put(MIN_SCORE_KEY, String.format(Locale.ROOT, "%.2f", best));
        summary.put("validationAtSuggestedMinScore", bestMetrics.toString());
        LOG.info(String.format(Locale.ROOT, "Face detector score threshold %.2f (%s): %s; the best validation F1 %.3f "
                        + "was at %.2f", best, floor ? "the lowest with validation precision >= " + TARGET_PRECISION
                        : "none keeps precision " + TARGET_PRECISION + " within " + MAX_F1_GIVEN_UP
                        + " of the best F1: the best F1", bestMetrics, bestF1,
                bestF1Threshold));
        return best;
    }

    private static float[] thresholds() {
        float[] t = new float[17];
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.round((0.10f + 0.05f * i) * 100) / 100f;
        }
        return t;
    }

    private float[] step(Trainer trainer, List<Letterboxed> batch, SceneAugmenter augmenter, ImagePreprocessor preprocessor,
                         FaceGrid grid, Device device) {
        int n = batch.size();
        int cells = grid.cells();
        float[] heat = new float[n * cells];
        float[] box = new float[n * 4 * cells];
        float[] weight = new float[n * cells];
        List<PreparedImage> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Letterboxed s = batch.get(i);
            PreparedImage image = s.image();
            List<Box> faces = s.faces();
            if (options.augment()) {
                SceneAugmenter.Augmented a = augmenter.apply(image, faces);
                image = a.image();
                faces = a.faces();
            }
            images.add(image);
            FaceGrid.Targets t = grid.encode(faces);
            System.arraycopy(t.objectness(), 0, heat, i * cells, cells);
            System.arraycopy(t.box(), 0, box, i * 4 * cells, 4 * cells);
            System.arraycopy(t.boxWeight(), 0, weight, i * cells, cells);
        }
        try (NDManager step = trainer.getManager().newSubManager()) {
            NDArray x = preprocessor.toBatch(step, images).toDevice(device, false);
            NDList labels = new NDList(step.create(heat, new Shape(n, 1, grid.rows(), grid.cols())),
                    step.create(box, new Shape(n, 4, grid.rows(), grid.cols())),
                    step.create(weight, new Shape(n, 1, grid.rows(), grid.cols()))).toDevice(device, false);
            float[] values = new float[3];
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList predictions = trainer.forward(new NDList(x));
                NDList terms = ((GridLoss) trainer.getLoss()).terms(labels, predictions);
                collector.backward(terms.get(0));
                for (int k = 0; k < 3; k++) {
                    values[k] = terms.get(k).getFloat();
                }
            }
            trainer.step();
            return values;
        }
    }

    /**
     * The detector's figures on labeled scenes: each frame's detections matched to its faces at IoU 0.5. Closes the
     * detector.
     */
    public static DetectionMetrics evaluate(TrainedFaceDetector detector, List<LabeledScene> scenes, int batchSize) {
        DetectionMetrics metrics = new DetectionMetrics();
        try (detector) {
            List<List<Detection>> found = detect(detector, scenes, batchSize);
            for (int i = 0; i < scenes.size(); i++) {
                metrics.add(scenes.get(i).faces(), found.get(i));
            }
        }
        return metrics;
    }

    private static List<List<Detection>> detect(TrainedFaceDetector detector, List<LabeledScene> scenes, int batchSize) {
        List<List<Detection>> found = new ArrayList<>(scenes.size());
        for (int from = 0; from < scenes.size(); from += batchSize) {
            List<DecodedImage> frames = new ArrayList<>(batchSize);
            for (LabeledScene s : scenes.subList(from, Math.min(scenes.size(), from + batchSize))) {
                frames.add(s.frame());
            }
            found.addAll(detector.detect(frames));
        }
        return found;
    }

    private Optimizer optimizer(int totalSteps) {
        float lr = options.learningRate();
        Tracker tracker = Tracker.cosine().setBaseValue(lr).optFinalValue(lr * 0.05f).setMaxUpdates(Math.max(1, totalSteps))
                .build();
        return Optimizer.adam().optLearningRateTracker(tracker).optWeightDecays(options.weightDecay()).build();
    }

    /** A training frame as the network sees it, once: letterboxed, its faces in input pixels. */
    private record Letterboxed(PreparedImage image, List<Box> faces) {
    }

    private static List<Letterboxed> letterbox(List<LabeledScene> scenes, ImagePreprocessor preprocessor) {
        InputSpec input = preprocessor.spec();
        List<Letterboxed> out = new ArrayList<>(scenes.size());
        for (LabeledScene s : scenes) {
            Letterbox l = Letterbox.of(s.frame().width(), s.frame().height(), input.width(), input.height());
            List<Box> faces = new ArrayList<>(s.faces().size());
            for (Box b : s.boxes()) {
                faces.add(l.toInput(b));
            }
            out.add(new Letterboxed(preprocessor.letterbox(s.frame()), List.copyOf(faces)));
        }
        return out;
    }

    private Map<String, String> summary(List<LabeledScene> train, List<LabeledScene> validation, List<Epoch> history,
                                        double seconds, Device device) {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("trained", "true");
        summary.put("recipe", options.recipe());
        summary.put("trainFrames", String.valueOf(train.size()));
        summary.put("trainFaces", String.valueOf(train.stream().mapToLong(s -> s.faces().size()).sum()));
        summary.put("epochs", String.valueOf(history.size()));
        summary.put("finalLoss", String.format(Locale.ROOT, "%.4f", history.get(history.size() - 1).loss()));
        summary.put("trainingSeconds", String.format(Locale.ROOT, "%.1f", seconds));
        summary.put("device", device.toString());
        DetectionMetrics last = history.get(history.size() - 1).validation();
        if (last != null) {
            summary.put("validationFrames", String.valueOf(validation.size()));
            summary.put("validation", last.toString());
        }
        return summary;
    }
}
