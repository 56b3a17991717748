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
import io.maskstream.runtime.Progress;
import io.maskstream.evaluation.metrics.Calibration;
import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.events.ModelMetrics;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.AgeBands;
import io.maskstream.model.Architectures;
import io.maskstream.model.BundleMetadata;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifier;
import io.maskstream.model.Compute;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImportedBackbone;
import io.maskstream.model.InputSpec;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.McDropout;
import io.maskstream.model.LabelCodec;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.Prediction;
import io.maskstream.model.PreparedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a network from the model module on a person-disjoint split and keeps the epoch with the best holdout
 * macro-F1 (early stopping with patience). Everything random (initialisation, sampling, augmentation) comes from
 * the configured seed (the split, the sampling order, augmentation, libtorch's generator for initialisation); on one
 * CPU thread a run is repeatable (two runs of {@code train --compare} on the same data printed the same figures).
 */
public final class ModelTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);

    /** One epoch's figures. */
    public record Epoch(int epoch, double loss, double trainF1, double holdoutF1, double seconds) {
    }

    /** The best model found and how it got there. */
    public record Result(ModelBundle bundle, ModelMetrics holdout, int bestEpoch, List<Epoch> history,
                         double secondsPerEpoch) {
    }

    /** Training-summary key of the feature dropout rate a model trained with (absent: none). */
    public static final String DROPOUT_KEY = "dropout";
    /** Training-summary key of the best model's holdout ECE (18 classes, one pass; see {@link Calibration}). */
    public static final String HOLDOUT_ECE_KEY = "holdoutEce";
    /** Training-summary key of the holdout ECE of the mean of {@link #MC_PASSES} MC-dropout passes. */
    public static final String HOLDOUT_ECE_MC_KEY = "holdoutEceMcDropout";
    /** MC-dropout passes of the holdout calibration figure. */
    static final int MC_PASSES = 8;

    private final TrainerConfig config;

    public ModelTrainer(TrainerConfig config) {
        this.config = config;
    }

    /**
     * The preprocessing of the configured input ({@code trainer.backbone.input} with an imported backbone, else {@code trainer.input.size}, else the architecture's default; the model
     * module's, as in serving).
     */
    public ImagePreprocessor preprocessor() {
        return new ImagePreprocessor(config.input(), ImageLimits.defaults());
    }

    public Result train(PersonSplit split, String version, String dataDescription) throws InvalidModelException {
        String architecture = config.architecture();
        HeadLayout heads = config.heads();
        InputSpec input = config.input();
        ComputeSettings compute = config.computeSettings();
        long seed = config.getLong(TrainerConfig.SEED);
        int epochs = config.getInt(TrainerConfig.EPOCHS);
        int batchSize = config.getInt(TrainerConfig.BATCH_SIZE);
        int patience = config.getInt(TrainerConfig.PATIENCE);
        boolean tta = config.getBoolean(TrainerConfig.TTA);
        boolean augment = config.getBoolean(TrainerConfig.AUGMENT);
        List<Sample> train = split.train();
        AgeBands bands = config.trainingAgeBands();

        Engine engine = Compute.engine(compute);
        Device device = Compute.device(compute);
        engine.setRandomSeed((int) seed);
        ImportedBackbone backbone = importedBackbone();
        double dropout = config.getDouble(TrainerConfig.DROPOUT);
        int stepsPerEpoch = (train.size() + batchSize - 1) / batchSize;
        HeadLoss loss = loss(train, heads);
        ImagePreprocessor preprocessor = new ImagePreprocessor(input, ImageLimits.defaults());
        Random random = new Random(seed);
        Augmenter augmenter = new Augmenter(seed * 31 + 7, config.getDouble(TrainerConfig.AUGMENT_STRENGTH));
        LOG.info("Training {} on {} photos ({} persons), holding out {} photos of {} persons, on {}: {}", architecture,
                train.size(), train.stream().map(Sample::personId).distinct().count(), split.holdout().size(),
                split.holdoutPersons().size(), device, config.recipe());

        List<Epoch> history = new ArrayList<>();
        ModelBundle best = null;
        ModelMetrics bestMetrics = null;
        int bestEpoch = 0;
        double bestF1 = -1;
        double trainingSeconds = 0;
        try (Model model = Model.newInstance("maskstream-train", device, "PyTorch")) {
            Block block = Architectures.withFeatureDropout(network(architecture, backbone, heads, input,
                    model.getNDManager()), dropout, "the network");
            model.setBlock(block);
            BundleMetadata metadata = BundleMetadata.of(version, architecture, heads, input, Map.of());
            if (backbone != null) {
                metadata = metadata.withBackbone(backbone.describe(block));
            }
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(loss)
                    .optOptimizer(optimizer(epochs * stepsPerEpoch, block)).optDevices(new Device[] {device});
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                trainer.initialize(new Shape(batchSize, 3, input.height(), input.width()));
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    long start = System.nanoTime();
                    List<Sample> order = config.getBoolean(TrainerConfig.BALANCED_SAMPLING)
                            ? balanced(train, bands, random) : shuffled(train, random);
                    Progress progress = new Progress("epoch " + epoch + "/" + epochs, order.size());
                    Confusion running = new Confusion();
                    double lossSum = 0;
                    for (int from = 0; from < order.size(); from += batchSize) {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new java.util.concurrent.CancellationException("training stopped at epoch " + epoch
                                    + " (interrupted)");
                        }
                        List<Sample> batch = order.subList(from, Math.min(order.size(), from + batchSize));
                        try (NDManager step = trainer.getManager().newSubManager()) {
                            List<PreparedImage> images = new ArrayList<>(batch.size());
                            for (Sample s : batch) {
                                images.add(augment ? augmenter.apply(s.image()) : s.image());
                            }
                            NDArray x = preprocessor.toBatch(step, images).toDevice(device, false);
                            NDList labels = labels(step, batch, heads, bands);
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDList predictions = trainer.forward(new NDList(x));
                                NDArray value = loss.evaluate(labels, predictions);
                                collector.backward(value);
                                lossSum += value.getFloat() * batch.size();
                                List<Prediction> p = io.maskstream.model.Outputs.toPredictions(predictions, heads);
                                for (int i = 0; i < batch.size(); i++) {
                                    running.add(batch.get(i).trainClass(bands), p.get(i).classCode());
                                }
                            }
                            trainer.step();
                        }
                        progress.step(batch.size(), String.format(Locale.ROOT, "loss %.4f  train F1 %.3f",
                                lossSum / Math.max(1, from + batch.size()), running.macroF1()));
                    }
                    progress.done();
                    Confusion holdout;
                    try (Classifier classifier = Classifier.wrap(block, metadata, compute)) {
                        holdout = evaluate(classifier, split.holdout(), tta, batchSize);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    trainingSeconds += seconds;
                    Epoch e = new Epoch(epoch, lossSum / order.size(), running.macroF1(), holdout.macroF1(), seconds);
                    history.add(e);
                    boolean improved = holdout.macroF1() > bestF1;
                    System.err.printf(Locale.ROOT, "epoch %d: loss %.4f, train F1 %.3f, holdout macro-F1 %.4f (acc %.3f)%s"
                                    + ", %.1f s%n", epoch, e.loss(), e.trainF1(), e.holdoutF1(), holdout.accuracy(),
                            improved ? " *best*" : "", seconds);
                    if (improved) {
                        bestF1 = holdout.macroF1();
                        bestEpoch = epoch;
                        bestMetrics = holdout.toModelMetrics(holdoutDescription(split));
                        best = ModelBundle.fromBlock(block, metadata);
                    } else if (epoch - bestEpoch >= patience) {
                        LOG.info("Early stop after epoch {}: no better holdout macro-F1 for {} epochs", epoch, patience);
                        break;
                    }
                }
            }
        }
        double perEpoch = trainingSeconds / history.size();
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("recipe", config.recipe());
        summary.put("data", dataDescription);
        summary.put("trainPhotos", String.valueOf(train.size()));
        summary.put("holdout", holdoutDescription(split));
        summary.put("epochs", String.valueOf(history.size()));
        summary.put("bestEpoch", String.valueOf(bestEpoch));
        summary.put("holdoutMacroF1", String.format(Locale.ROOT, "%.4f", bestF1));
        summary.put("secondsPerEpoch", String.format(Locale.ROOT, "%.1f", perEpoch));
        summary.put("device", device.toString());
        if (dropout > 0) {
            summary.put(DROPOUT_KEY, String.valueOf(dropout));
        }
        summary.putAll(holdoutCalibration(best, split.holdout(), tta, batchSize, compute, dropout));
        return new Result(best.withTrainingSummary(summary), bestMetrics, bestEpoch, history, perEpoch);
    }

    /**
     * The best model's calibration on the holdout, as served (loaded, batch norm folded), for the training summary:
     * {@value #HOLDOUT_ECE_KEY} the ECE of its 18-class answer ({@link Calibration}), and {@value #HOLDOUT_ECE_MC_KEY} that of
     * the mean of {@value #MC_PASSES} MC-dropout passes at the training dropout rate (0.2 when it trained without).
     */
    private static Map<String, String> holdoutCalibration(ModelBundle best, List<Sample> holdout, boolean tta,
                                                         int batchSize, ComputeSettings compute, double dropout)
            throws InvalidModelException {
        McDropout mc = new McDropout(MC_PASSES, dropout > 0 ? dropout : 0.2, McDropout.SERVING_SEED);
        Calibration plain = new Calibration();
        Calibration sampled = new Calibration();
        try (Classifier served = Classifier.load(best, compute)) {
            List<Prediction> one = predictions(served, holdout, tta, batchSize, McDropout.OFF);
            List<Prediction> passes = predictions(served, holdout, tta, batchSize, mc);
            for (int i = 0; i < holdout.size(); i++) {
                if (one.get(i) != null) {
                    plain.add(holdout.get(i).truth(), one.get(i));
                    sampled.add(holdout.get(i).truth(), passes.get(i));
                }
            }
        }
        Calibration.Summary a = plain.summary();
        Calibration.Summary b = sampled.summary();
        LOG.info("Holdout calibration (ECE, 18 classes / mask / gender / age): one pass {} / {} / {} / {}; mean of {} "
                        + "MC-dropout passes at rate {}: {} / {} / {} / {}", f4(a.classes().ece()), f4(a.mask().ece()),
                f4(a.gender().ece()), f4(a.age().ece()), mc.passes(), mc.rate(), f4(b.classes().ece()), f4(b.mask().ece()),
                f4(b.gender().ece()), f4(b.age().ece()));
        Map<String, String> out = new LinkedHashMap<>();
        out.put(HOLDOUT_ECE_KEY, f4(a.classes().ece()));
        out.put(HOLDOUT_ECE_MC_KEY, f4(b.classes().ece()) + " (" + mc.passes() + " passes at rate " + mc.rate() + ")");
        return out;
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * The drift reference of {@code bundle}: its answers on the split's holdout (class mix and top-probability
     * histogram, with the TTA and batch size of the holdout metrics); null when the holdout is empty.
     */
    public io.maskstream.events.TrainingProfile holdoutProfile(ModelBundle bundle, PersonSplit split)
            throws InvalidModelException {
        if (split.holdout().isEmpty()) {
            return null;
        }
        try (Classifier classifier = Classifier.load(bundle, config.computeSettings())) {
            return io.maskstream.evaluation.drift.TrainingProfiles.of(holdoutDescription(split), predictions(classifier,
                    split.holdout(), config.getBoolean(TrainerConfig.TTA), config.getInt(TrainerConfig.BATCH_SIZE), McDropout.OFF));
        }
    }

    static String holdoutDescription(PersonSplit split) {
        return "person-disjoint holdout: " + split.holdout().size() + " photos of " + split.holdoutPersons().size()
                + " persons";
    }

    /** The 18-class confusion of {@code classifier} on {@code samples} (each decoded for its own input size). */
    public static Confusion evaluate(BatchClassifier classifier, List<Sample> samples, boolean tta, int batchSize) {
        Confusion confusion = new Confusion();
        int[] predicted = predict(classifier, samples, tta, batchSize);
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] >= 0) {
                confusion.add(samples.get(i).truth(), predicted[i]);
            }
        }
        return confusion;
    }

    /**
     * The 18-class answer of {@code classifier} for each sample, in order (each decoded for its own input size);
     * -1 for a sample its preprocessing refuses.
     */
    public static int[] predict(BatchClassifier classifier, List<Sample> samples, boolean tta, int batchSize) {
        List<Prediction> predictions = predictions(classifier, samples, tta, batchSize, McDropout.OFF);
        int[] out = new int[samples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = predictions.get(i) == null ? -1 : predictions.get(i).classCode();
        }
        return out;
    }

    /**
     * The prediction of {@code classifier} for each sample, in order (each decoded for its own input size, sampled as
     * {@code mc} says); null for a sample its preprocessing refuses.
     */
    static List<Prediction> predictions(BatchClassifier classifier, List<Sample> samples, boolean tta, int batchSize,
                                        McDropout mc) {
        List<Prediction> out = new ArrayList<>(Collections.nCopies(samples.size(), (Prediction) null));
        InputSpec spec = classifier.metadata().input();
        List<PreparedImage> images = new ArrayList<>(batchSize);
        List<Integer> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            PreparedImage image = s.image();
            boolean usable = true;
            if (image.width() != spec.width() || image.height() != spec.height()) {
                try {
                    image = classifier.preprocessor().prepare(s.encoded());
                } catch (io.maskstream.model.ImageRejectedException e) {
                    usable = false;
                }
            }
            if (usable) {
                images.add(image);
                batch.add(i);
            }
            if (!batch.isEmpty() && (batch.size() == batchSize || i == samples.size() - 1)) {
                List<Prediction> predictions = classifier.classify(images, tta, mc);
                for (int k = 0; k < batch.size(); k++) {
                    out.set(batch.get(k), predictions.get(k));
                }
                images.clear();
                batch.clear();
            }
        }
        return out;
    }

    /** The configured imported backbone, read (not yet loaded), or null for a built-in architecture. */
    private ImportedBackbone importedBackbone() throws InvalidModelException {
        java.nio.file.Path file = config.backbone().orElse(null);
        if (file == null) {
            return null;
        }
        try {
            return ImportedBackbone.read(file);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(e.reason(), TrainerConfig.BACKBONE + "=" + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The network to train: the built-in architecture, or the imported backbone loaded into {@code manager} (the
     * model's: it lives and dies with it) and checked on {@code input}, with the heads on its features.
     */
    private static Block network(String architecture, ImportedBackbone backbone, HeadLayout heads, InputSpec input,
                                 NDManager manager) throws InvalidModelException {
        if (backbone == null) {
            return Architectures.build(architecture, heads);
        }
        try {
            return backbone.network(heads, input, manager);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(e.reason(), TrainerConfig.BACKBONE + "=" + backbone.name() + " with "
                    + TrainerConfig.BACKBONE_INPUT + "=" + input.width() + "x" + input.height() + ": " + e.getMessage(), e);
        }
    }

    private Optimizer optimizer(int totalSteps, Block block) {
        List<ai.djl.nn.Parameter> backbone = ImportedBackbone.moduleParameters(block);
        if (backbone.isEmpty()) {
            return optimizer(totalSteps, 1f);
        }
        float factor = config.getDouble(TrainerConfig.BACKBONE_LR_FACTOR).floatValue();
        if (factor == 0f) {
            backbone.forEach(p -> p.freeze(true)); // no gradients, no updates: only the heads learn
            return optimizer(totalSteps, 1f);
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        backbone.forEach(p -> ids.add(p.getId()));
        return new SplitOptimizer(optimizer(totalSteps, 1f), optimizer(totalSteps, factor), ids);
    }

    private Optimizer optimizer(int totalSteps, float lrFactor) {
        float lr = config.getDouble(TrainerConfig.LEARNING_RATE).floatValue() * lrFactor;
        float wd = config.getDouble(TrainerConfig.WEIGHT_DECAY).floatValue();
        Tracker tracker = switch (config.getString(TrainerConfig.SCHEDULE)) {
            case "cosine" -> Tracker.cosine().setBaseValue(lr).optFinalValue(lr * 0.02f)
                    .setMaxUpdates(Math.max(1, totalSteps)).build();
            case "step" -> Tracker.multiFactor().setBaseValue(lr).setSteps(new int[] {Math.max(1, totalSteps * 2 / 3)})
                    .optFactor(0.1f).build();
            default -> Tracker.fixed(lr);
        };
        return switch (config.getString(TrainerConfig.OPTIMIZER)) {
            case "sgd" -> Optimizer.sgd().setLearningRateTracker(tracker).optMomentum(0.9f).optWeightDecays(wd).build();
            case "adam" -> Optimizer.adam().optLearningRateTracker(tracker).optWeightDecays(wd).build();
            default -> Optimizer.adamW().optLearningRateTracker(tracker).optWeightDecays(wd).build();
        };
    }

    /**
     * The loss of the recipe. Inverse-frequency class weights (weighted-ce, focal) apply only with uniform
     * sampling: balanced sampling already shows every class equally often, and weighting on top of it counted
     * rarity twice (measured: holdout macro-F1 0.27 instead of 0.31 for plain cross-entropy).
     */
    HeadLoss loss(List<Sample> train, HeadLayout heads) {
        AgeBands bands = config.trainingAgeBands();
        String kind = config.getString(TrainerConfig.LOSS);
        float smoothing = config.getDouble(TrainerConfig.LABEL_SMOOTHING).floatValue();
        float gamma = kind.equals("focal") ? config.getDouble(TrainerConfig.FOCAL_GAMMA).floatValue() : 0f;
        float[][] weights = null;
        boolean weighted = !kind.equals("ce") && !config.getBoolean(TrainerConfig.BALANCED_SAMPLING);
        if (weighted && heads == HeadLayout.MASK_CONDITIONAL_AGE) {
            weights = maskConditionalWeights(train, bands);
        } else if (weighted) {
            weights = heads == HeadLayout.MULTI_HEAD
                    ? new float[][] {inverseFrequency(train, 3, Sample::maskLabel), inverseFrequency(train, 2, Sample::genderLabel),
                        inverseFrequency(train, 3, s -> s.ageLabel(bands))}
                    : new float[][] {inverseFrequency(train, LabelCodec.CLASSES, s -> s.trainClass(bands))};
        }
        return new HeadLoss(kind, weights, smoothing, gamma);
    }

    /** w_c = n / (k * count_c), capped at 10; a class absent from the data gets weight 1. */
    static float[] inverseFrequency(List<Sample> samples, int classes, java.util.function.ToIntFunction<Sample> label) {
        int[] counts = new int[classes];
        samples.forEach(s -> counts[label.applyAsInt(s)]++);
        float[] w = new float[classes];
        for (int c = 0; c < classes; c++) {
            w[c] = counts[c] == 0 ? 1f : Math.min(10f, samples.size() / (float) (classes * counts[c]));
        }
        return w;
    }

    /** Inverse-frequency weights of the mask-conditional heads: each age head's over the faces it learns from. */
    private static float[][] maskConditionalWeights(List<Sample> train, AgeBands bands) {
        List<Sample> masked = train.stream().filter(ModelTrainer::maskedForAge).toList();
        List<Sample> unmasked = train.stream().filter(s -> !maskedForAge(s)).toList();
        return new float[][] {inverseFrequency(train, 3, Sample::maskLabel), inverseFrequency(train, 2, Sample::genderLabel),
            inverseFrequency(masked, 3, s -> s.ageLabel(bands)), inverseFrequency(unmasked, 3, s -> s.ageLabel(bands))};
    }

    static boolean maskedForAge(Sample s) {
        return HeadLayout.maskedForAge(io.maskstream.model.MaskLabel.values()[s.maskLabel()]);
    }

    /**
     * {@link HeadLayout#MASK_CONDITIONAL_AGE}'s targets: mask, gender, and the age for both age heads, then one
     * per-face weight per head ({@link HeadLoss}): 1 for mask and gender, and each age head 1 on the faces it is for
     * ({@link HeadLayout#maskedForAge}) and 0 on the others, so it learns from its own faces only.
     */
    static NDList maskConditionalLabels(NDManager manager, List<Sample> batch, AgeBands bands) {
        int[] age = batch.stream().mapToInt(s -> s.ageLabel(bands)).toArray();
        float[] ones = new float[batch.size()];
        Arrays.fill(ones, 1f);
        float[] masked = new float[batch.size()];
        float[] unmasked = new float[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            boolean m = maskedForAge(batch.get(i));
            masked[i] = m ? 1f : 0f;
            unmasked[i] = m ? 0f : 1f;
        }
        return new NDList(manager.create(batch.stream().mapToInt(Sample::maskLabel).toArray()),
                manager.create(batch.stream().mapToInt(Sample::genderLabel).toArray()), manager.create(age),
                manager.create(age), manager.create(ones), manager.create(ones), manager.create(masked),
                manager.create(unmasked));
    }

    private static NDList labels(NDManager manager, List<Sample> batch, HeadLayout heads, AgeBands bands) {
        if (heads == HeadLayout.MASK_CONDITIONAL_AGE) {
            return maskConditionalLabels(manager, batch, bands);
        }
        if (heads == HeadLayout.SINGLE_18) {
            return new NDList(manager.create(batch.stream().mapToInt(s -> s.trainClass(bands)).toArray()));
        }
        return new NDList(manager.create(batch.stream().mapToInt(Sample::maskLabel).toArray()),
                manager.create(batch.stream().mapToInt(Sample::genderLabel).toArray()),
                manager.create(batch.stream().mapToInt(s -> s.ageLabel(bands)).toArray()));
    }

    static List<Sample> shuffled(List<Sample> samples, Random random) {
        List<Sample> order = new ArrayList<>(samples);
        Collections.shuffle(order, random);
        return order;
    }

    /** As many draws as samples, with replacement, each with probability inverse to its class's frequency. */
    static List<Sample> balanced(List<Sample> samples, AgeBands bands, Random random) {
        int[] counts = new int[LabelCodec.CLASSES];
        samples.forEach(s -> counts[s.trainClass(bands)]++);
        double[] cumulative = new double[samples.size()];
        double sum = 0;
        for (int i = 0; i < samples.size(); i++) {
            sum += 1.0 / counts[samples.get(i).trainClass(bands)];
            cumulative[i] = sum;
        }
        List<Sample> order = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            int idx = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            order.add(samples.get(idx >= 0 ? idx : Math.min(samples.size() - 1, -idx - 1)));
        }
        return order;
    }
}
