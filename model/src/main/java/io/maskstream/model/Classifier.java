package io.maskstream.model;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.maskstream.model.InvalidModelException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model ready to classify: network, weights on a device, and the preprocessing its bundle prescribes.
 *
 * <p>Invariants: a loaded classifier's every parameter has exactly the shape its architecture defines
 * and holds only finite values, and its outputs have the layout's shapes (checked by a warm-up batch);
 * {@link #classify} runs inference only (running batch-norm statistics, no autograd) and may be called
 * from several threads at once; MC-dropout ({@link McDropout}) samples the same masks in every batch, so an image's
 * prediction does not depend on its batchmates either way; a loaded classifier runs with batch norm folded into its
 * convolutions only where that was checked to give the unfolded network's probabilities ({@link BatchNormFolding}); {@link #close()} waits
 * for classifications in flight, then frees every native resource, and later calls fail cleanly instead of touching
 * freed memory. A face detector's bundle
 * ({@link HeadLayout#isDetector()}) is refused: see {@link TrainedFaceDetector}.
 */
public final class Classifier implements BatchClassifier {

    private static final Logger LOG = LoggerFactory.getLogger(Classifier.class);
    /** Probabilities per prediction: mask, gender, age, then the 18 classes. */
    private static final int PROBABILITIES = 3 + 2 + 3 + LabelCodec.CLASSES;

    static {
        Compute.prepare();
    }

    private final BundleMetadata metadata;
    private final Block block;
    private final NDManager manager;
    private final Device device;
    private final ImagePreprocessor preprocessor;
    private final boolean ownsBlock;
    private final NativeLifecycle lifecycle;
    private final boolean sampleable;
    private volatile boolean warnedUnsampleable;

    private Classifier(BundleMetadata metadata, Block block, NDManager manager, Device device, boolean ownsBlock,
                       ImageLimits limits) {
        this.metadata = metadata;
        this.block = block;
        this.manager = manager;
        this.device = device;
        this.ownsBlock = ownsBlock;
        this.preprocessor = new ImagePreprocessor(metadata.input(), limits);
        this.lifecycle = new NativeLifecycle("model " + metadata.version());
        this.sampleable = Architectures.sampleable(block);
    }

    /**
     * Builds the bundle's network on the device the settings name and loads its weights, refusing
     * weights that do not fit ({@code SHAPE_MISMATCH}: every parameter's shape is compared with the built
     * network's), NaN or infinite weights ({@code NON_FINITE_WEIGHTS}) and networks the engine cannot
     * run ({@code LOAD_FAILED}). A {@link Architectures#TORCHSCRIPT} bundle's imported module is loaded from the bundle
     * and must give, on the bundle's input, the features its heads were trained on ({@link ImportedBackbone}); the
     * heads' weights are checked as above. Runs one warm-up batch and checks its output shapes. Then folds batch norm
     * into the convolutions if that leaves the outputs on probe images unchanged ({@link BatchNormFolding}; an
     * imported module is served as it is: folding only rewrites our own networks).
     *
     * @throws IllegalArgumentException if the settings ask for a GPU that does not exist
     */
    public static Classifier load(ModelBundle bundle, ComputeSettings settings) throws InvalidModelException {
        return load(bundle, settings, ImageLimits.defaults());
    }

    /** As {@link #load(ModelBundle, ComputeSettings)}, with the given limits for its preprocessor. */
    public static Classifier load(ModelBundle bundle, ComputeSettings settings, ImageLimits limits)
            throws InvalidModelException {
        return load(bundle, settings, limits, BatchNormFolding.enabled());
    }

    /** As {@link #load(ModelBundle, ComputeSettings, ImageLimits)}, folding batch norm or not (tests compare both). */
    static Classifier load(ModelBundle bundle, ComputeSettings settings, ImageLimits limits, boolean foldBatchNorm)
            throws InvalidModelException {
        BundleMetadata metadata = bundle.metadata();
        String model = "model " + metadata.version() + " (" + metadata.architecture() + "/" + metadata.heads() + ")";
        if (metadata.heads().isDetector()) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + " is a face detector, not a classifier: it finds "
                    + "faces in whole frames and has no mask, gender or age outputs; load it with TrainedFaceDetector, or "
                    + "ship it inside a classifier's bundle (ModelBundle.withDetector)");
        }
        long started = System.nanoTime();
        Device device = Compute.device(settings);
        boolean imported = Architectures.TORCHSCRIPT.equals(metadata.architecture());
        Block block = imported ? null : Architectures.build(metadata.architecture(), metadata.heads());
        NDManager manager = Compute.engine(settings).newBaseManager(device);
        boolean ok = false;
        try {
            InputSpec input = metadata.input();
            if (imported) {
                block = ImportedBackbone.load(bundle, manager, model); // its module from the bundle, then the heads
            } else {
                BundleWeights.load(block, manager, input, bundle.weights(), model);
            }
            block.freezeParameters(true); // inference only: no gradients are ever recorded for these weights
            Classifier classifier = new Classifier(metadata, block, manager, device, true, limits);
            classifier.warmUp(model);
            if (foldBatchNorm) {
                BatchNormFolding.foldChecked(block, manager, classifier::probe, model);
            }
            ok = true;
            LOG.info("Loaded {} on {} in {} ms (input {}x{})", model, device, (System.nanoTime() - started) / 1_000_000,
                    input.width(), input.height());
            return classifier;
        } catch (EngineException | IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, model + " cannot be loaded: " + e.getMessage(), e);
        } finally {
            if (!ok) {
                manager.close();
            }
        }
    }

    /**
     * A classifier around a block the caller owns (the trainer's evaluation): runs on the device the
     * block's parameters live on and does not close the block. The caller must not train the block while
     * this classifier is classifying.
     */
    public static Classifier wrap(Block block, BundleMetadata metadata, ComputeSettings settings) {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(metadata, "metadata");
        if (metadata.heads().isDetector()) {
            throw new IllegalArgumentException("model " + metadata.version() + " is a face detector (" + metadata.heads()
                    + "), not a classifier; wrap it with TrainedFaceDetector");
        }
        if (!block.isInitialized()) {
            throw new IllegalArgumentException("the block has no weights yet: initialise or train it first");
        }
        Device device = block.getParameters().values().get(0).getArray().getDevice();
        NDManager manager = Compute.engine(settings).newBaseManager(device);
        return new Classifier(metadata, block, manager, device, false, ImageLimits.defaults());
    }

    @Override
    public String version() {
        return metadata.version();
    }

    @Override
    public BundleMetadata metadata() {
        return metadata;
    }

    @Override
    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** Where the model runs. */
    public Device device() {
        return device;
    }

    /** One prediction per image, in order, from one forward pass over the whole batch. */
    public List<Prediction> classify(List<PreparedImage> images) {
        return classify(images, false);
    }

    /**
     * One prediction per image, in order. With {@code flipTta} each image is also classified mirrored
     * left-right (in the same forward pass) and the probabilities are averaged.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IllegalArgumentException if an image is not of this model's input size
     */
    @Override
    public List<Prediction> classify(List<PreparedImage> images, boolean flipTta) {
        if (images.isEmpty()) {
            return List.of();
        }
        return lifecycle.use(() -> forward(images, flipTta, McDropout.OFF));
    }

    /**
     * As {@link #classify(List, boolean)}, with MC-dropout ({@link McDropout}): the backbone runs once over the batch
     * (and its mirror with {@code flipTta}), the heads {@code mc.passes()} times on masked features; each pass is
     * flip-averaged first, then the passes are averaged and their spread attached. Off ({@code mc.passes() == 0}): the
     * plain pass, no uncertainty.
     *
     * <p>A network without our classifier heads to sample serves its plain pass (logged once): a serving setting must
     * never fail every batch.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IllegalArgumentException if an image is not of this model's input size
     */
    @Override
    public List<Prediction> classify(List<PreparedImage> images, boolean flipTta, McDropout mc) {
        Objects.requireNonNull(mc, "mc");
        if (images.isEmpty()) {
            return List.of();
        }
        McDropout served = mc.enabled() && !sampleable ? unsampleable() : mc;
        return lifecycle.use(() -> forward(images, flipTta, served));
    }

    private McDropout unsampleable() {
        if (!warnedUnsampleable) {
            warnedUnsampleable = true;
            LOG.warn("Model {} ({}) has no classifier heads to sample: it serves without MC-dropout", metadata.version(),
                    metadata.architecture());
        }
        return McDropout.OFF;
    }

    private List<Prediction> forward(List<PreparedImage> images, boolean flipTta, McDropout mc) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // thread-local in libtorch: only this call's thread is affected
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = preprocessor.toBatch(batch, images);
            if (flipTta) {
                x = x.concat(x.flip(3), 0);
            }
            PairList<String, Object> params = mc.enabled() ? new PairList<>(List.of(Networks.Heads.MC_DROPOUT), List.of(mc))
                    : null;
            NDList out = block.forward(new ParameterStore(batch, false), new NDList(x), false, params);
            List<Prediction> rows = Outputs.toPredictions(out, metadata.heads());
            requireFinite(rows);
            int n = images.size();
            int perPass = flipTta ? 2 * n : n;
            int passes = mc.enabled() ? mc.passes() : 1;
            List<Prediction> predictions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                List<Prediction> samples = new ArrayList<>(passes);
                for (int p = 0; p < passes; p++) {
                    Prediction plain = rows.get(p * perPass + i);
                    samples.add(flipTta ? Outputs.average(plain, rows.get(p * perPass + n + i), metadata.heads()) : plain);
                }
                if (passes == 1) {
                    predictions.add(samples.get(0));
                } else {
                    Prediction combined = Outputs.mean(samples, metadata.heads());
                    predictions.add(combined.withUncertainty(Uncertainty.of(Uncertainty.MC_DROPOUT, samples, combined)));
                }
            }
            return predictions;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Every head's probabilities for the probe images, in one vector: what folding must not change. */
    private float[] probe() {
        InputSpec input = metadata.input();
        List<Prediction> predictions = forward(PreparedImage.probes(input.width(), input.height()), false, McDropout.OFF);
        float[] out = new float[predictions.size() * PROBABILITIES];
        int at = 0;
        for (Prediction p : predictions) {
            for (float[] head : new float[][] {p.mask(), p.gender(), p.age(), p.classes()}) {
                System.arraycopy(head, 0, out, at, head.length);
                at += head.length;
            }
        }
        return out;
    }

    /** The network this classifier runs (folded when loaded for serving). */
    Block network() {
        return block;
    }

    /** A NaN must never reach an event: fail the batch so the caller can retry or dead-letter it. */
    private void requireFinite(List<Prediction> predictions) {
        for (int i = 0; i < predictions.size(); i++) {
            for (float p : predictions.get(i).classes()) {
                if (!Float.isFinite(p)) {
                    throw new IllegalStateException("model " + metadata.version() + " produced non-finite probabilities for"
                            + " image " + i + " of a batch of " + predictions.size() + " (a numeric fault in the engine)");
                }
            }
        }
    }

    /** Waits for classifications in flight, then frees the weights and every other native resource. */
    @Override
    public void close() {
        lifecycle.close(() -> {
            if (ownsBlock) {
                block.clear();
            }
            manager.close();
        });
    }

    private void warmUp(String model) throws InvalidModelException {
        InputSpec input = metadata.input();
        PreparedImage black = PreparedImage.black(input.width(), input.height());
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = preprocessor.toBatch(batch, List.of(black));
            NDList out = block.forward(new ParameterStore(batch, false), new NDList(x), false);
            int[] units = metadata.heads().units();
            boolean shapesOk = out.size() == units.length;
            for (int i = 0; shapesOk && i < units.length; i++) {
                shapesOk = out.get(i).getShape().equals(new Shape(1, units[i]));
            }
            if (!shapesOk) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + " produces outputs " + shapes(out)
                        + " where " + metadata.heads() + " needs " + expectedOutputs(units));
            }
            for (NDArray o : out) {
                if (o.isNaN().any().getBoolean() || o.isInfinite().any().getBoolean()) {
                    throw new InvalidModelException(Reason.NON_FINITE_WEIGHTS, model
                            + " produces non-finite outputs on a warm-up image");
                }
            }
        } catch (EngineException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, model + " fails on a warm-up image: " + e.getMessage(), e);
        }
    }

    private static List<Shape> shapes(NDList list) {
        List<Shape> shapes = new ArrayList<>();
        for (NDArray a : list) {
            shapes.add(a.getShape());
        }
        return shapes;
    }

    private static List<Shape> expectedOutputs(int[] units) {
        List<Shape> shapes = new ArrayList<>();
        for (int u : units) {
            shapes.add(new Shape(1, u));
        }
        return shapes;
    }
}
