package io.maskstream.schemas;

/** How model bundles travel on the artifacts topic. */
public final class ModelArtifacts {

    /** Bytes per chunk: well under the default broker limit of 1 MB per record. */
    public static final int CHUNK_BYTES = 512 * 1024;
    /**
     * URI scheme of an artifact carried by Kafka: {@code kafka://<topic>/<version>?offset=N}, N the offset of its
     * first chunk (older URIs have no offset: the artifact is then looked for from the start of the topic).
     */
    public static final String KAFKA_SCHEME = "kafka";

    private ModelArtifacts() {
    }

    public static String uri(String topic, String version) {
        return KAFKA_SCHEME + "://" + topic + "/" + version;
    }

    public static String uri(String topic, String version, long firstChunkOffset) {
        return uri(topic, version) + "?offset=" + firstChunkOffset;
    }

    /** The first chunk's offset a Kafka artifact URI names, or -1. */
    public static long offset(java.net.URI uri) {
        String query = uri.getQuery();
        if (query != null) {
            for (String part : query.split("&")) {
                if (part.startsWith("offset=")) {
                    try {
                        return Long.parseLong(part.substring("offset=".length()));
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    /** Record key of one chunk: version/index, zero-padded so keys sort in chunk order. */
    public static String chunkKey(String version, int index) {
        return version + "/" + String.format("%06d", index);
    }
}
