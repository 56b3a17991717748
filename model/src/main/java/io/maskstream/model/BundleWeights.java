package io.maskstream.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import io.maskstream.model.InvalidModelException.Reason;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a bundle's weights into a freshly built network, refusing weights that do not fit it: the one check every
 * model that serves passes, classifier ({@link Classifier}) and detector ({@link TrainedFaceDetector}) alike.
 *
 * <p>Invariant: after {@link #load} returns, every parameter has exactly the shape the architecture defines for the
 * input, is float32 and holds only finite values.
 */
final class BundleWeights {

    private static final int MAX_LISTED_MISMATCHES = 5;

    private BundleWeights() {
    }

    /**
     * Builds the block's parameters for {@code input} to learn their shapes, then loads {@code weights} in their place
     * and checks them: {@code SHAPE_MISMATCH} for tensors that do not fit (listing up to five),
     * {@code NON_FINITE_WEIGHTS} for NaN or infinite values. {@code model} names the model in messages.
     */
    static void load(Block block, NDManager manager, InputSpec input, byte[] weights, String model)
            throws InvalidModelException {
        load(block, manager, new Shape(1, 3, input.height(), input.width()), weights, model);
    }

    /** As {@link #load(Block, NDManager, InputSpec, byte[], String)}, for a block whose input is {@code inputShape}. */
    static void load(Block block, NDManager manager, Shape inputShape, byte[] weights, String model)
            throws InvalidModelException {
        Map<String, Shape> expected = expectedShapes(block, manager, inputShape);
        block.clear();
        loadWeights(block, manager, weights, model);
        checkShapes(block, expected, model);
        checkFinite(block, model);
    }

    private static Map<String, Shape> expectedShapes(Block block, NDManager manager, Shape inputShape) {
        // Zeros are cheap; only the shapes matter, the arrays are freed right after.
        block.setInitializer(Initializer.ZEROS, p -> true);
        block.initialize(manager, DataType.FLOAT32, inputShape);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            shapes.put(p.getKey(), p.getValue().getShape());
        }
        return shapes;
    }

    private static void loadWeights(Block block, NDManager manager, byte[] weights, String model)
            throws InvalidModelException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
            block.loadParameters(manager, in);
            if (in.read() != -1) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + ": the weights hold more tensors than the "
                        + "network has parameters; they were saved from a different network");
            }
        } catch (MalformedModelException | IOException | IllegalArgumentException e) {
            // DJL reports some foreign structures as IllegalArgumentException ("does not match any layoutTypes")
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + ": the weights do not fit the network's "
                    + "structure (" + e.getMessage() + "); they were saved from a different architecture or head layout", e);
        }
    }

    private static void checkShapes(Block block, Map<String, Shape> expected, String model) throws InvalidModelException {
        List<String> mismatches = new ArrayList<>();
        int count = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            Shape want = expected.get(p.getKey());
            Shape got = parameter.isInitialized() ? parameter.getArray().getShape() : null;
            if (got == null || !got.equals(want)) {
                count++;
                if (mismatches.size() < MAX_LISTED_MISMATCHES) {
                    mismatches.add(p.getKey() + " is " + (got == null ? "missing" : got) + " but the network needs " + want);
                }
            } else if (parameter.getArray().getDataType() != DataType.FLOAT32) {
                throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + ": parameter " + p.getKey() + " is "
                        + parameter.getArray().getDataType() + ", expected float32");
            }
        }
        if (count > 0) {
            throw new InvalidModelException(Reason.SHAPE_MISMATCH, model + ": " + count
                    + " weight tensor(s) do not fit the network: " + String.join("; ", mismatches)
                    + (count > mismatches.size() ? "; ..." : ""));
        }
    }

    private static void checkFinite(Block block, String model) throws InvalidModelException {
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            try (NDArray nan = array.isNaN(); NDArray inf = array.isInfinite(); NDArray bad = nan.logicalOr(inf);
                 NDArray count = bad.countNonzero()) {
                long n = count.toType(DataType.INT64, false).getLong();
                if (n > 0) {
                    throw new InvalidModelException(Reason.NON_FINITE_WEIGHTS, model + ": parameter " + p.getKey() + " holds "
                            + n + " NaN or infinite value(s)");
                }
            }
        }
    }

}
