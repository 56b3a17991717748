package io.maskstream.model;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.maskstream.model.InvalidModelException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A feature extractor brought as a TorchScript file ({@code torch.jit.script} or {@code torch.jit.trace}, then
 * {@code torch.jit.save}): a torchvision or timm CNN with its classifier removed, say, exported with ImageNet weights
 * on a machine that has them. {@link #network} puts our heads on it ({@link Architectures#TORCHSCRIPT}); DJL's PyTorch
 * engine trains the module's parameters as it trains ours, and the fine-tuned module travels in the bundle.
 *
 * <p>Invariant: a network {@link #network} returns holds a module that loaded on the manager's device and, on a
 * {@code [2, 3, height, width]} float batch of the input it will be trained or served at, returned exactly one
 * float32 tensor of shape {@code [2, C]} or {@code [2, C, h, w]} with finite values; its {@code C} features feed the
 * heads. Anything else is refused with an {@link InvalidModelException} naming the module's source and the shape.
 */
public final class ImportedBackbone {

    /** Largest module file read (libtorch reads it whole into memory, twice); a ResNet-50 is ~100 MB. */
    static final long MAX_BYTES = 1L << 30;
    private static final int PROBE_BATCH = 2;

    static {
        Compute.prepare();
    }

    private final String name;
    private final String source;
    private final byte[] module;
    private final String sha256;

    private ImportedBackbone(String name, String source, byte[] module) {
        this.name = name;
        this.source = source;
        this.module = module;
        this.sha256 = ModelBundle.sha256(module);
    }

    /**
     * The TorchScript file at {@code file}; its bytes are only read here (see {@link #network} for the checks).
     *
     * @throws InvalidModelException {@code LOAD_FAILED} when the file is missing, unreadable, empty or over 1 GB
     */
    public static ImportedBackbone read(Path file) throws InvalidModelException {
        Objects.requireNonNull(file, "file");
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size == 0 || size > MAX_BYTES) {
                throw new InvalidModelException(Reason.LOAD_FAILED, "backbone " + file + " is " + size
                        + " bytes: not a TorchScript module (0 bytes, or over " + MAX_BYTES + ")");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, "no backbone file at " + file, e);
        } catch (IOException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, "cannot read backbone " + file + ": " + e, e);
        }
        return new ImportedBackbone(file.getFileName().toString(), "backbone " + file, bytes);
    }

    /** A module from bytes, e.g. a bundle's entry; {@code source} names them in messages ("backbone FILE"). */
    static ImportedBackbone of(String name, String source, byte[] module) {
        return new ImportedBackbone(name, source, module);
    }

    /** The file name it was imported under. */
    public String name() {
        return name;
    }

    /** Hex SHA-256 of the module's bytes. */
    public String sha256() {
        return sha256;
    }

    /** What a bundle's metadata says of a network built from this file ({@code sha256} is filled in by the bundle). */
    public BundleMetadata.Backbone describe(Block network) {
        if (!(network instanceof Networks.Imported imported)) {
            throw new IllegalArgumentException("not a network built on an imported backbone: " + network.getClass());
        }
        return new BundleMetadata.Backbone(name, sha256, null, imported.features());
    }

    /**
     * The imported module's parameters inside {@code network} (a trainer gives them their own learning rate, or
     * freezes them); empty for a built-in network.
     */
    public static List<Parameter> moduleParameters(Block network) {
        List<Parameter> out = new ArrayList<>();
        if (network instanceof Networks.Imported imported) {
            imported.moduleParameters().forEach(p -> out.add(p.getValue()));
        }
        return out;
    }

    /**
     * Loads the module on {@code manager}'s device (a PyTorch manager) and checks it on {@code input} (see the class
     * invariant), then builds module → pool → heads of {@code layout}, the heads uninitialised: initialise the block
     * with {@code [N, 3, height, width]} (a trainer) or load the heads' weights (a bundle). The module lives in
     * {@code manager} and is freed with it.
     *
     * @throws InvalidModelException {@code LOAD_FAILED} when the bytes are not a TorchScript module libtorch can
     *     load, {@code SHAPE_MISMATCH} when it fails on the input or its output is not one {@code [N, C]} or
     *     {@code [N, C, h, w]} float tensor, {@code NON_FINITE_WEIGHTS} for NaN or infinite parameters or features
     */
    public Block network(HeadLayout layout, InputSpec input, NDManager manager) throws InvalidModelException {
        if (layout.isDetector()) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, source + ": an imported backbone carries "
                    + "classifier heads, not " + layout);
        }
        if (!(manager instanceof PtNDManager pt)) {
            throw new IllegalArgumentException("an imported TorchScript backbone runs on DJL's PyTorch engine, not "
                    + manager.getEngine().getEngineName());
        }
        PtSymbolBlock block;
        try {
            block = JniUtils.loadModule(pt, new ByteArrayInputStream(module), true, false);
        } catch (EngineException | IOException e) {
            throw new InvalidModelException(Reason.LOAD_FAILED, source + " is not a TorchScript module "
                    + "libtorch " + Compute.engine().getVersion() + " can load (export it with torch.jit.script or "
                    + "torch.jit.trace, then torch.jit.save): " + firstLine(e), e);
        }
        boolean ok = false;
        try {
            int features = probe(block, input, pt);
            checkFinite(block);
            Block network = Networks.imported(block, features, Architectures.headNames(layout), layout.units());
            ok = true;
            return network;
        } finally {
            if (!ok) {
                block.close();
            }
        }
    }

    /**
     * A torchscript bundle's network with its module and heads' weights loaded (for {@link Classifier#load}): the module
     * passes {@link #network}'s checks on the bundle's input, gives the number of features the metadata says, and
     * the heads' weights fit and are finite ({@link BundleWeights}).
     */
    static Block load(ModelBundle bundle, NDManager manager, String model) throws InvalidModelException {
        BundleMetadata m = bundle.metadata();
        ImportedBackbone backbone = of(m.backbone().name(), model + "'s backbone (" + ModelBundle.BACKBONE_ENTRY
                + ", imported from " + m.backbone().name() + ")", bundle.backbone());
        Networks.Imported network = (Networks.Imported) backbone.network(m.heads(), m.input(), manager);
        if (network.features() != m.backbone().features()) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + ": its backbone gives " + network.features()
                    + " features per image where its metadata (and heads) say " + m.backbone().features());
        }
        BundleWeights.load(network.heads(), manager, new Shape(1, network.features()), bundle.weights(), model);
        return network;
    }

    /** Runs the configured input through the module in eval mode; returns its feature count. */
    private int probe(PtSymbolBlock block, InputSpec input, NDManager manager) throws InvalidModelException {
        Shape in = new Shape(PROBE_BATCH, 3, input.height(), input.width());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager probe = manager.newSubManager()) {
            NDList out;
            try {
                NDArray x = probe.zeros(in);
                out = block.forward(new ParameterStore(probe, false), new NDList(x), false);
            } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, source + " fails on the input "
                        + "[N, 3, height, width] = " + in + " (" + input.width() + "x" + input.height() + "): "
                        + firstLine(e), e);
            }
            List<Shape> shapes = new ArrayList<>();
            out.forEach(a -> shapes.add(a.getShape()));
            Shape shape = shapes.size() == 1 ? shapes.get(0) : null;
            boolean fits = shape != null && (shape.dimension() == 2 || shape.dimension() == 4) && shape.get(0) == PROBE_BATCH
                    && shape.get(1) >= 1;
            if (!fits) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, source + " returns "
                        + (shapes.size() == 1 ? shapes.get(0) : shapes.size() + " outputs " + shapes) + " for the input "
                        + in + "; the heads need one tensor of features [N, C] or [N, C, h, w] (N = " + PROBE_BATCH
                        + "): export the network without its classifier (torchvision: fc = Identity(); timm: "
                        + "num_classes=0)");
            }
            NDArray features = out.singletonOrThrow();
            if (features.getDataType() != DataType.FLOAT32) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, source + " returns "
                        + features.getDataType() + " features " + shape + "; the heads need float32");
            }
            if (features.isNaN().any().getBoolean() || features.isInfinite().any().getBoolean()) {
                throw new InvalidModelException(Reason.NON_FINITE_WEIGHTS, source + " gives NaN or infinite "
                        + "features " + shape + " on the input " + in);
            }
            return Math.toIntExact(shape.get(1));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private void checkFinite(PtSymbolBlock block) throws InvalidModelException {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            NDArray a = p.getValue().getArray();
            boolean bad;
            try (NDArray nan = a.isNaN(); NDArray inf = a.isInfinite(); NDArray either = nan.logicalOr(inf);
                 NDArray any = either.any()) {
                bad = any.getBoolean();
            }
            if (bad) {
                throw new InvalidModelException(Reason.NON_FINITE_WEIGHTS, source + ": parameter "
                        + p.getKey() + " holds NaN or infinite values");
            }
        }
    }

    /** libtorch's messages carry a C++ backtrace after the first line; the first line says what went wrong. */
    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage()).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    /** The module's bytes; shared, not copied: never modify. */
    byte[] bytes() {
        return module;
    }
}
