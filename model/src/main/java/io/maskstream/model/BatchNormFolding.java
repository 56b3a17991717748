package io.maskstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds batch norm into the convolution before it when a bundle is loaded for serving: in inference a batch norm is a
 * fixed per-channel affine map, so {@code bn(conv(x, W))} is {@code conv(x, W')} plus a bias, with
 * {@code W' = W·γ/√(var+ε)} per output channel and {@code b' = β + (b − mean)·γ/√(var+ε)}. One operator instead of
 * two, and one pass less over every feature map; the folded convolutions also run channels-last ({@link FoldedConv}).
 *
 * <p>Invariant: a model serves folded only if, on the probe images (the black warm-up image and a fixed non-trivial
 * one), its outputs match the unfolded network's within {@value #TOLERANCE}; otherwise the rewrite is undone and it
 * serves unfolded, with a warning. Only {@code Conv2d → BatchNorm} children adjacent in a {@link Networks.Chain} are
 * folded, which is every batch norm of resnet18, fastnet and gridnet (an imported TorchScript module is opaque here and
 * runs unfolded); the trainer's networks and the bundle's weights
 * are never touched ({@link Classifier#wrap} and {@link TrainedFaceDetector#wrap} do not fold).
 *
 * <p>{@code -D}{@value #PROPERTY}{@code =false} turns folding off for every model loaded afterwards (the benchmark
 * compares both; an escape hatch should a host's kernels disagree with the check).
 */
final class BatchNormFolding {

    /** System property: {@code false} serves every model unfolded. */
    static final String PROPERTY = "maskstream.model.fold-batchnorm";
    /** Largest difference allowed between folded and unfolded outputs (probabilities; see {@link #difference}). */
    static final double TOLERANCE = 1e-4;

    private static final Logger LOG = LoggerFactory.getLogger(BatchNormFolding.class);

    private BatchNormFolding() {
    }

    /** What a probe run of a model gives: its outputs on the probe images, as probabilities where it has them. */
    interface Probe {
        float[] run();
    }

    /** Whether models loaded now fold ({@value #PROPERTY}, default true). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * Folds every conv→BN pair of {@code block} (weights already loaded and checked), compares the probe's outputs
     * before and after, and keeps the folded network only if they agree within {@link #TOLERANCE}: else restores the
     * unfolded one and logs a warning with the difference. Returns the number of pairs folded, 0 if none were or the
     * folding was undone. The folded arrays live in {@code manager}; the replaced parameters are freed.
     *
     * @throws RuntimeException what the probe of the unfolded network throws (the model cannot run)
     */
    static int foldChecked(Block block, NDManager manager, Probe probe, String model) {
        float[] before = probe.run();
        List<Fold> folds = new ArrayList<>();
        try {
            fold(block, manager, folds);
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot fold its batch norms ({}); serving it unfolded", model, e.toString());
            undo(folds);
            return 0;
        }
        if (folds.isEmpty()) {
            return 0;
        }
        double difference;
        try {
            difference = difference(before, probe.run());
        } catch (RuntimeException e) {
            LOG.warn("{}: the network with batch norm folded fails on the probe images ({}); serving it unfolded", model,
                    e.toString());
            undo(folds);
            return 0;
        }
        if (!(difference <= TOLERANCE)) {
            LOG.warn("{}: folding batch norm changes its outputs on the probe images by up to {} (more than {}); serving "
                    + "it unfolded", model, String.format(Locale.ROOT, "%.3g", difference), TOLERANCE);
            undo(folds);
            return 0;
        }
        for (Fold f : folds) {
            f.freeReplaced();
        }
        LOG.info("{}: folded {} batch norm(s) into their convolutions (outputs on the probe images within {})", model,
                folds.size(), String.format(Locale.ROOT, "%.2g", difference));
        return folds.size();
    }

    /**
     * The largest difference between two output vectors: absolute where a value's magnitude is at most 1
     * (probabilities), relative above (a detector's box regressions). Infinite when the lengths differ, NaN if a value is.
     */
    static double difference(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i]));
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** Folds every pair below {@code block}, depth first, recording each for {@link #undo}. */
    private static void fold(Block block, NDManager manager, List<Fold> folds) {
        if (block instanceof Networks.Chain chain) {
            List<Block> children = chain.getChildren().values();
            // Walk backwards so each replacement leaves the indices still to visit unchanged.
            for (int i = children.size() - 2; i >= 0; i--) {
                if (children.get(i) instanceof Conv2d conv && children.get(i + 1) instanceof BatchNorm bn) {
                    FoldedConv folded = folded(conv, bn, manager);
                    folds.add(new Fold(chain, i, chain.replace(i, 2, folded), folded));
                }
            }
        }
        for (Block child : block.getChildren().values()) {
            if (!(child instanceof FoldedConv)) {
                fold(child, manager, folds);
            }
        }
    }

    private static void undo(List<Fold> folds) {
        // Last folded first: a chain's later replacements happened at lower indices.
        for (int i = folds.size() - 1; i >= 0; i--) {
            folds.get(i).undo();
        }
    }

    /** The convolution and batch norm as one convolution; computed in double on the host. */
    private static FoldedConv folded(Conv2d conv, BatchNorm bn, NDManager manager) {
        NDArray weightArray = parameter(conv, "weight");
        Shape shape = weightArray.getShape();
        int out = Math.toIntExact(shape.get(0));
        float[] weight = weightArray.toFloatArray();
        float[] convBias = conv.isIncludeBias() ? parameter(conv, "bias").toFloatArray() : new float[out];
        float[] gamma = parameter(bn, "gamma").toFloatArray();
        float[] beta = parameter(bn, "beta").toFloatArray();
        float[] mean = parameter(bn, "runningMean").toFloatArray();
        float[] var = parameter(bn, "runningVar").toFloatArray();
        if (gamma.length != out || beta.length != out || mean.length != out || var.length != out) {
            throw new IllegalStateException("a batch norm of " + gamma.length + " channels follows a convolution of " + out);
        }
        int perChannel = weight.length / out;
        float[] bias = new float[out];
        for (int c = 0; c < out; c++) {
            double scale = gamma[c] / Math.sqrt((double) var[c] + Networks.BATCH_NORM_EPSILON);
            for (int j = c * perChannel; j < (c + 1) * perChannel; j++) {
                weight[j] = (float) (weight[j] * scale);
            }
            bias[c] = (float) (beta[c] + ((double) convBias[c] - mean[c]) * scale);
        }
        return FoldedConv.of(manager, weight, shape, bias, conv.getStride(), conv.getPadding(), conv.getDilation(),
                conv.getGroups());
    }

    private static NDArray parameter(Block block, String name) {
        Parameter p = block.getDirectParameters().get(name);
        if (p == null || !p.isInitialized()) {
            throw new IllegalStateException("no initialised parameter " + name + " in " + block.getClass().getSimpleName());
        }
        return p.getArray();
    }

    /** One conv→BN pair replaced in a chain: enough to undo it or, once kept, to free what it replaced. */
    private record Fold(Networks.Chain chain, int index, List<Pair<String, Block>> replaced, FoldedConv folded) {

        void undo() {
            chain.restore(index, replaced);
            folded.weight().close();
            folded.bias().close();
        }

        void freeReplaced() {
            for (Pair<String, Block> p : replaced) {
                for (Pair<String, Parameter> parameter : p.getValue().getParameters()) {
                    parameter.getValue().close();
                }
            }
        }
    }
}
