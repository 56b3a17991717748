package io.maskstream.model;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a bundle says about its weights: format version, model version, architecture and head layout
 * (together they define the network), the input spec (how images must be prepared), when it was made, a
 * free-form training summary (sorted, so its JSON is deterministic) and the weights' SHA-256.
 *
 * <p>{@code weightsSha256} may be null only before {@link ModelBundle#fromBlock} fills it in.
 */
public record BundleMetadata(int formatVersion, String version, String architecture, HeadLayout heads, InputSpec input,
                             Instant createdTime, Map<String, String> trainingSummary, String weightsSha256) {

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

    /** Metadata of the current format, created now, without a checksum yet (for {@link ModelBundle#fromBlock}). */
    public static BundleMetadata of(String version, String architecture, HeadLayout heads, InputSpec input,
                                    Map<String, String> trainingSummary) {
        return new BundleMetadata(FORMAT_VERSION, version, architecture, heads, input, Instant.now(), trainingSummary, null);
    }

    /** The same metadata with another model version. */
    public BundleMetadata withVersion(String newVersion) {
        return new BundleMetadata(formatVersion, newVersion, architecture, heads, input, createdTime, trainingSummary,
                weightsSha256);
    }

    BundleMetadata withWeightsSha256(String sha) {
        return new BundleMetadata(formatVersion, version, architecture, heads, input, createdTime, trainingSummary, sha);
    }
}
