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
import io.maskstream.model.InvalidModelException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The face detector the trainer trains: a {@link HeadLayout#FACE_GRID} network (gridnet) from a bundle, its weights
 * on a device, and the decoding of its grid ({@link FaceGrid}).
 *
 * <p>Invariants, as {@link Classifier}'s: a loaded detector's every parameter has exactly the shape its architecture
 * defines and holds only finite values, and its output has the grid's shape for its input (checked by a warm-up
 * frame); a classifier's bundle is refused; {@link #detect} runs inference only and may be called from several
 * threads at once; {@link #close()} waits for detections in flight, then frees every native resource, and later
 * calls fail cleanly.
 */
public final class TrainedFaceDetector implements FaceDetector {

    private static final Logger LOG = LoggerFactory.getLogger(TrainedFaceDetector.class);

    static {
        Compute.prepare();
    }

    private final BundleMetadata metadata;
    private final Block block;
    private final NDManager manager;
    private final Device device;
    private final ImagePreprocessor preprocessor;
    private final FaceGrid grid;
    private final DetectorSettings settings;
    private final boolean ownsBlock;
    private final NativeLifecycle lifecycle;

    private TrainedFaceDetector(BundleMetadata metadata, Block block, NDManager manager, Device device, boolean ownsBlock,
                                DetectorSettings settings) {
        this.metadata = metadata;
        this.lifecycle = new NativeLifecycle("face detector " + metadata.version());
        this.block = block;
        this.manager = manager;
        this.device = device;
        this.ownsBlock = ownsBlock;
        this.settings = settings;
        this.preprocessor = new ImagePreprocessor(metadata.input(), ImageLimits.defaults());
        this.grid = FaceGrid.of(metadata.input());
    }

    /**
     * Builds the bundle's network on the device the settings name and loads its weights, with {@link Classifier}'s
     * checks: a bundle that is not a detector ({@code SHAPE_MISMATCH}: a classifier's outputs are no face grid), an
     * input whose sides are not multiples of 32 ({@code SHAPE_MISMATCH}), weights that do not fit
     * ({@code SHAPE_MISMATCH}), NaN or infinite weights ({@code NON_FINITE_WEIGHTS}), networks the engine cannot run
     * ({@code LOAD_FAILED}). Runs one warm-up frame and checks its output's shape ({@code SHAPE_MISMATCH}). Then folds
     * batch norm into the convolutions if that leaves the outputs on probe images unchanged ({@link BatchNormFolding}).
     *
     * @throws IllegalArgumentException if the settings ask for a GPU that does not exist
     */
    public static TrainedFaceDetector load(ModelBundle bundle, ComputeSettings compute, DetectorSettings settings)
            throws InvalidModelException {
        BundleMetadata metadata = bundle.metadata();
        if (!metadata.heads().isDetector()) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, describe(metadata) + " is a classifier, not a face "
                    + "detector: its outputs are " + metadata.heads() + " class scores, not a " + HeadLayout.FACE_GRID
                    + " grid of faces; load it with Classifier");
        }
        Block block = Architectures.build(metadata.architecture(), metadata.heads());
        return load(bundle, compute, settings, block, BatchNormFolding.enabled());
    }

    /** As {@link #load(ModelBundle, ComputeSettings, DetectorSettings)} with the network given (tests give wrong ones). */
    static TrainedFaceDetector load(ModelBundle bundle, ComputeSettings compute, DetectorSettings settings, Block block)
            throws InvalidModelException {
        return load(bundle, compute, settings, block, BatchNormFolding.enabled());
    }

    /** As above, folding batch norm or not (tests compare both). */
    static TrainedFaceDetector load(ModelBundle bundle, ComputeSettings compute, DetectorSettings settings, Block block,
                                    boolean foldBatchNorm) throws InvalidModelException {
        Objects.requireNonNull(settings, "settings");
        BundleMetadata metadata = bundle.metadata();
        String model = describe(metadata);
        InputSpec input = metadata.input();
        if (input.width() % GridNet.ALIGNMENT != 0 || input.height() % GridNet.ALIGNMENT != 0) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + " declares input " + input.width() + "x"
                    + input.height() + "; a face grid network needs sides that are multiples of " + GridNet.ALIGNMENT);
        }
        long started = System.nanoTime();
        Device device = Compute.device(compute);
        NDManager manager = Compute.engine(compute).newBaseManager(device);
        boolean ok = false;
        try {
            BundleWeights.load(block, manager, input, bundle.weights(), model);
            block.freezeParameters(true);
            TrainedFaceDetector detector = new TrainedFaceDetector(metadata, block, manager, device, true, settings);
            detector.warmUp(model);
            if (foldBatchNorm) {
                BatchNormFolding.foldChecked(block, manager, detector::probe, model);
            }
            ok = true;
            LOG.info("Loaded face detector {} on {} in {} ms (input {}x{}, grid {}x{})", model, device,
                    (System.nanoTime() - started) / 1_000_000, input.width(), input.height(), detector.grid.cols(),
                    detector.grid.rows());
            return detector;
        } catch (EngineException | IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, model + " cannot be loaded: " + e.getMessage(), e);
        } finally {
            if (!ok) {
                manager.close();
            }
        }
    }

    /**
     * A detector around a block the caller owns (the trainer's validation): runs on the device the block's parameters
     * live on and does not close the block. The caller must not train the block while this detector is detecting.
     */
    public static TrainedFaceDetector wrap(Block block, BundleMetadata metadata, ComputeSettings compute,
                                           DetectorSettings settings) {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(settings, "settings");
        if (!metadata.heads().isDetector()) {
            throw new IllegalArgumentException(describe(metadata) + " is a classifier, not a face detector");
        }
        if (!block.isInitialized()) {
            throw new IllegalArgumentException("the block has no weights yet: initialise or train it first");
        }
        Device device = block.getParameters().values().get(0).getArray().getDevice();
        NDManager manager = Compute.engine(compute).newBaseManager(device);
        return new TrainedFaceDetector(metadata, block, manager, device, false, settings);
    }

    /** The bundle's model version. */
    @Override
    public String version() {
        return metadata.version();
    }

    @Override
    public InputSpec input() {
        return metadata.input();
    }

    /** The bundle's metadata. */
    public BundleMetadata metadata() {
        return metadata;
    }

    /** How the grid is decoded into faces. */
    public DetectorSettings settings() {
        return settings;
    }

    /** Where the network runs. */
    public Device device() {
        return device;
    }

    /**
     * @throws IllegalStateException after {@link #close()}, or when the network produces non-finite values
     */
    @Override
    public List<List<Detection>> detect(List<DecodedImage> frames) {
        if (frames.isEmpty()) {
            return List.of();
        }
        List<PreparedImage> inputs = new ArrayList<>(frames.size());
        for (DecodedImage frame : frames) {
            inputs.add(preprocessor.letterbox(frame));
        }
        float[] output = lifecycle.use(() -> forward(inputs));
        int perFrame = FaceGrid.CHANNELS * grid.cells();
        List<List<Detection>> out = new ArrayList<>(frames.size());
        for (int f = 0; f < frames.size(); f++) {
            DecodedImage frame = frames.get(f);
            Letterbox letterbox = Letterbox.of(frame.width(), frame.height(), input().width(), input().height());
            out.add(List.copyOf(grid.decode(output, f * perFrame, letterbox, settings)));
        }
        return List.copyOf(out);
    }

    private float[] forward(List<PreparedImage> inputs) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // thread-local in libtorch: only this call's thread is affected
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = preprocessor.toBatch(batch, inputs);
            NDArray y = block.forward(new ParameterStore(batch, false), new NDList(x), false).singletonOrThrow();
            float[] values = y.toFloatArray();
            for (float v : values) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("face detector " + metadata.version() + " produced non-finite outputs"
                            + " for a batch of " + inputs.size() + " frame(s) (a numeric fault in the engine)");
                }
            }
            return values;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * The grid for the probe images with each cell's objectness as its score (a probability): what folding must not
     * change.
     */
    private float[] probe() {
        float[] out = forward(PreparedImage.probes(input().width(), input().height()));
        int perFrame = FaceGrid.CHANNELS * grid.cells();
        for (int f = 0; f < out.length / perFrame; f++) {
            for (int i = f * perFrame; i < f * perFrame + grid.cells(); i++) {
                out[i] = (float) (1 / (1 + Math.exp(-out[i])));
            }
        }
        return out;
    }

    /** The network this detector runs (folded when loaded for serving). */
    Block network() {
        return block;
    }

    /** Waits for detections in flight, then frees the weights and every other native resource. */
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
            Shape want = new Shape(1, FaceGrid.CHANNELS, grid.rows(), grid.cols());
            if (out.size() != 1 || !out.get(0).getShape().equals(want)) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + " produces outputs "
                        + java.util.Arrays.toString(out.getShapes())
                        + " where a " + HeadLayout.FACE_GRID + " detector with input " + input.width() + "x" + input.height()
                        + " needs [" + want + "]");
            }
            NDArray o = out.get(0);
            if (o.isNaN().any().getBoolean() || o.isInfinite().any().getBoolean()) {
                throw new InvalidModelException(Reason.NON_FINITE_WEIGHTS, model + " produces non-finite outputs on a "
                        + "warm-up frame");
            }
        } catch (EngineException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, model + " fails on a warm-up frame: " + e.getMessage(), e);
        }
    }

    private static String describe(BundleMetadata metadata) {
        return "model " + metadata.version() + " (" + metadata.architecture() + "/" + metadata.heads() + ")";
    }

    @Override
    public String toString() {
        return "TrainedFaceDetector[" + metadata.version() + ", " + grid + ", " + settings + "]";
    }
}
