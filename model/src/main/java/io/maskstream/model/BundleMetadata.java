package io.maskstream.model;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a bundle says about its weights: format version, model version, architecture and head layout
 * (together they define the network), the input spec (how images must be prepared), when it was made, a
 * free-form training summary (sorted, so its JSON is deterministic), the weights' SHA-256 and, for the
 * {@link Architectures#TORCHSCRIPT} architecture only, what the imported backbone is.
 *
 * <p>{@code weightsSha256} (and a backbone's {@code sha256}) may be null only before {@link ModelBundle#fromBlock}
 * fills it in. {@code backbone} is null for every built-in architecture.
 */
public record BundleMetadata(int formatVersion, String version, String architecture, HeadLayout heads, InputSpec input,
                             Instant createdTime, Map<String, String> trainingSummary, String weightsSha256,
                             Backbone backbone) {

    /**
     * An imported TorchScript backbone ({@link ImportedBackbone}): the file it was imported from, by name and SHA-256
     * of its bytes as imported (provenance: which export a model was fine-tuned from), the SHA-256 of the fine-tuned
     * module the bundle carries (integrity: {@link ModelBundle#read} checks it), and how many features it gives
     * the heads per image.
     */
    public record Backbone(String name, String sourceSha256, String sha256, int features) {

        /** Checks presence and a positive feature count. */
        public Backbone {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sourceSha256, "sourceSha256");
            if (features < 1) {
                throw new IllegalArgumentException("a backbone gives at least one feature, got " + features);
            }
        }

        Backbone withSha256(String moduleSha256) {
            return new Backbone(name, sourceSha256, moduleSha256, features);
        }
    }

    /** The bundle format this build writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /** Checks presence of the required fields and freezes the summary. */
    public BundleMetadata {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(heads, "heads");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(createdTime, "createdTime");
        trainingSummary = trainingSummary == null ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(trainingSummary));
    }

    /** Metadata of a built-in architecture (no backbone). */
    public BundleMetadata(int formatVersion, String version, String architecture, HeadLayout heads, InputSpec input,
                          Instant createdTime, Map<String, String> trainingSummary, String weightsSha256) {
        this(formatVersion, version, architecture, heads, input, createdTime, trainingSummary, weightsSha256, null);
    }

    /** Metadata of the current format, created now, without a checksum yet (for {@link ModelBundle#fromBlock}). */
    public static BundleMetadata of(String version, String architecture, HeadLayout heads, InputSpec input,
                                    Map<String, String> trainingSummary) {
        return new BundleMetadata(FORMAT_VERSION, version, architecture, heads, input, Instant.now(), trainingSummary, null);
    }

    /** The same metadata with another model version. */
    public BundleMetadata withVersion(String newVersion) {
        return new BundleMetadata(formatVersion, newVersion, architecture, heads, input, createdTime, trainingSummary,
                weightsSha256, backbone);
    }

    /** The same metadata with another training summary. */
    public BundleMetadata withTrainingSummary(Map<String, String> summary) {
        return new BundleMetadata(formatVersion, version, architecture, heads, input, createdTime, summary, weightsSha256,
                backbone);
    }

    /** The same metadata naming an imported backbone (its {@code sha256} is filled in by {@link ModelBundle#fromBlock}). */
    public BundleMetadata withBackbone(Backbone importedBackbone) {
        return new BundleMetadata(formatVersion, version, architecture, heads, input, createdTime, trainingSummary,
                weightsSha256, importedBackbone);
    }

    BundleMetadata withWeightsSha256(String sha) {
        return new BundleMetadata(formatVersion, version, architecture, heads, input, createdTime, trainingSummary, sha,
                backbone);
    }
}
