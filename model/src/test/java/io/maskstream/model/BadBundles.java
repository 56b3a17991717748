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

    /** A well-formed zip whose weights differ from the SHA-256 its metadata names (one weight byte flipped). */
    public static byte[] alteredWeights(String version) {
        ModelBundle good = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version, 1);
        byte[] weights = good.weights().clone();
        weights[weights.length / 2] ^= 0x40;
        return ModelBundle.zip(MetadataJson.write(good.metadata()), weights);
    }

    /** A well-formed bundle naming an architecture nobody knows. */
    public static byte[] unknownArchitecture(String version) {
        ModelBundle good = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version, 1);
        String json = new String(MetadataJson.write(good.metadata()), StandardCharsets.UTF_8)
                .replace("\"fastnet\"", "\"efficientnet-b9\"");
        return ModelBundle.zip(json.getBytes(StandardCharsets.UTF_8), good.weights());
    }

    /**
     * An ensemble of two good untrained fastnet members ({@code version}-m0, -m2) around {@code badMember}'s bytes as
     * member 1, listed in ensemble.json under {@code memberVersion} with the SHA-256 of those very bytes: only the
     * member's own checks can refuse it.
     */
    public static byte[] ensembleWithMember(String version, String memberVersion, byte[] badMember) {
        ModelBundle a = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version + "-m0", 1);
        ModelBundle c = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version + "-m2", 3);
        ModelBundle good = ModelBundle.ensemble(version, EnsembleVote.SOFT, java.util.List.of(a, c, c));
        EnsembleManifest manifest = new EnsembleManifest(EnsembleVote.SOFT, java.util.List.of(
                new EnsembleManifest.Member(EnsembleManifest.memberEntry(0), a.metadata().version(), a.sha256()),
                new EnsembleManifest.Member(EnsembleManifest.memberEntry(1), memberVersion, ModelBundle.sha256(badMember)),
                new EnsembleManifest.Member(EnsembleManifest.memberEntry(2), c.metadata().version(), c.sha256())));
        byte[] toc = manifest.toBytes();
        BundleMetadata m = good.metadata();
        BundleMetadata metadata = new BundleMetadata(m.formatVersion(), m.version(), m.architecture(), m.heads(), m.input(),
                m.createdTime(), m.trainingSummary(), ModelBundle.sha256(toc));
        java.util.Map<String, byte[]> members = new java.util.LinkedHashMap<>();
        members.put(EnsembleManifest.memberEntry(0), a.toBytes());
        members.put(EnsembleManifest.memberEntry(1), badMember);
        members.put(EnsembleManifest.memberEntry(2), c.toBytes());
        return ModelBundle.zipEnsemble(MetadataJson.write(metadata), toc, members);
    }

    /** A good 2-member ensemble bundle whose member 1's bytes have one weight byte flipped after packing. */
    public static byte[] ensembleWithAlteredMember(String version) {
        ModelBundle a = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version + "-m0", 1);
        ModelBundle b = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, version + "-m1", 2);
        byte[] bytes = ModelBundle.ensemble(version, EnsembleVote.SOFT, java.util.List.of(a, b)).toBytes();
        byte[] member = b.toBytes();
        int at = indexOf(bytes, member) + member.length - 4096; // inside member 1's weights, past its metadata
        bytes[at] ^= 0x40;
        return bytes;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
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
