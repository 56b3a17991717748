package io.maskstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Damaged model bundles for the refusal tests of other modules (shipped in this module's test-jar). Each is
 * a bundle file's bytes that must be refused for its own reason.
 */
public final class BadBundles {

    private BadBundles() {
    }

    /** The first half of a good bundle's bytes (the zip's end record is missing). */
    public static byte[] truncated(String version) {
        byte[] good = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version, 1).toBytes();
        return Arrays.copyOf(good, good.length / 2);
    }

    /** Weights for a 4-class mask head under metadata promising the standard heads: wrong tensor shapes. */
    public static byte[] wrongShapes(String version) throws InvalidModelException {
        Block block = Architectures.build(Architectures.FASTNET, new String[] {"mask", "gender", "age"}, new int[] {4, 2, 3});
        return initialised(block, version, null).toBytes();
    }

    /** A well-formed bundle with one NaN in its weights. */
    public static byte[] nanWeights(String version) throws InvalidModelException {
        return initialised(Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD), version, "gender_weight").toBytes();
    }

    /** A well-formed bundle naming an architecture nobody knows. */
    public static byte[] unknownArchitecture(String version) {
        ModelBundle good = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version, 1);
        String json = new String(MetadataJson.write(good.metadata()), StandardCharsets.UTF_8)
                .replace("\"fastnet\"", "\"efficientnet-b9\"");
        return ModelBundle.zip(json.getBytes(StandardCharsets.UTF_8), good.weights());
    }

    private static ModelBundle initialised(Block block, String version, String nanParameter) {
        InputSpec input = Architectures.defaultInput(Architectures.FASTNET);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            if (nanParameter != null) {
                for (Pair<String, Parameter> p : block.getParameters()) {
                    if (p.getKey().endsWith(nanParameter)) {
                        float[] values = p.getValue().getArray().toFloatArray();
                        values[values.length / 2] = Float.NaN;
                        p.getValue().getArray().set(values);
                    }
                }
            }
            return ModelBundle.fromBlock(block, BundleMetadata.of(version, Architectures.FASTNET, HeadLayout.MULTI_HEAD,
                    input, null));
        }
    }
}
