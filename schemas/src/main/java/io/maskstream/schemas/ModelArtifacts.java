package io.maskstream.schemas;

/** How model bundles travel on the artifacts topic. */
public final class ModelArtifacts {

    /** Bytes per chunk: well under the default broker limit of 1 MB per record. */
    public static final int CHUNK_BYTES = 512 * 1024;
    /** URI scheme of an artifact carried by Kafka: {@code kafka://<topic>/<version>}. */
    public static final String KAFKA_SCHEME = "kafka";

    private ModelArtifacts() {
    }

    public static String uri(String topic, String version) {
        return KAFKA_SCHEME + "://" + topic + "/" + version;
    }

    /** Record key of one chunk: version/index, zero-padded so keys sort in chunk order. */
    public static String chunkKey(String version, int index) {
        return version + "/" + String.format("%06d", index);
    }
}
