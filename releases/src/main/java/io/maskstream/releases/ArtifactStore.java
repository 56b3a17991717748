package io.maskstream.releases;

import io.maskstream.events.ModelArtifactChunk;
import io.maskstream.events.ModelRelease;
import io.maskstream.model.InvalidModelException;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.ModelArtifacts;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Model bundle files on the artifacts topic, cut into {@link ModelArtifacts#CHUNK_BYTES} chunks keyed
 * {@code version/index}. A fetch reassembles the newest chunks of a version and refuses the result unless it
 * is complete and its SHA-256 is the one the release names; {@code file:} URIs are read from disk the same way.
 *
 * <p>A release's URI names the offset of its first chunk ({@code kafka://<topic>/<version>?offset=N}), so a fetch
 * reads that artifact and nothing before it; a URI without one (older releases) is found by reading the topic from
 * its start. Retired versions' chunks are removed with tombstones ({@link #delete}), which compaction then drops.
 */
public final class ArtifactStore {

    private final ServiceConfig config;
    private final Topic<String, ModelArtifactChunk> topic;

    public ArtifactStore(ServiceConfig config) {
        this.config = config;
        this.topic = new Topics(config).modelArtifacts();
    }

    /** Publishes the bundle bytes and returns the URI a release names (with the offset of the first chunk). */
    public String publish(String version, byte[] bundle, String sha256) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER));
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ModelArtifacts.CHUNK_BYTES + 128 * 1024);
        int count = chunkCount(bundle.length);
        long first;
        try (KafkaProducer<String, ModelArtifactChunk> producer = new KafkaProducer<>(props,
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            Future<RecordMetadata> firstSent = null;
            for (int i = 0; i < count; i++) {
                int from = i * ModelArtifacts.CHUNK_BYTES;
                int to = Math.min(bundle.length, from + ModelArtifacts.CHUNK_BYTES);
                ModelArtifactChunk chunk = ModelArtifactChunk.newBuilder().setVersion(version).setIndex(i).setCount(count)
                        .setTotalBytes(bundle.length).setSha256(sha256)
                        .setData(ByteBuffer.wrap(bundle, from, to - from)).build();
                Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic.name(), ModelArtifacts.chunkKey(version, i),
                        chunk));
                firstSent = firstSent == null ? sent : firstSent;
            }
            producer.flush();
            first = firstSent.get().offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot publish the artifact of " + version + " to " + topic.name() + ": "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing the artifact of " + version, e);
        }
        return ModelArtifacts.uri(topic.name(), version, first);
    }

    /**
     * Removes the artifact of {@code release} from the artifacts topic: a tombstone for each of its chunks, which
     * compaction turns into nothing. Does nothing for artifacts not on Kafka.
     */
    public void delete(ModelRelease release) {
        URI uri = URI.create(release.getArtifactUri());
        if (!ModelArtifacts.KAFKA_SCHEME.equals(uri.getScheme())) {
            return;
        }
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER));
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        int count = chunkCount(release.getArtifactBytes());
        try (KafkaProducer<String, ModelArtifactChunk> producer = new KafkaProducer<>(props,
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(uri.getAuthority(), ModelArtifacts.chunkKey(release.getVersion(), i), null));
            }
            producer.flush();
        }
    }

    private static int chunkCount(long bytes) {
        return (int) Math.max(1, (bytes + ModelArtifacts.CHUNK_BYTES - 1) / ModelArtifacts.CHUNK_BYTES);
    }

    /**
     * The bundle bytes of {@code release}, verified against its SHA-256.
     *
     * @throws InvalidModelException         the artifact is missing, incomplete or not the one the release names
     * @throws ArtifactUnavailableException  it could not be read now (broker unreachable, timeout): try again later
     */
    public byte[] fetch(ModelRelease release, Duration timeout) throws InvalidModelException, ArtifactUnavailableException {
        URI uri = URI.create(release.getArtifactUri());
        byte[] bytes;
        if (ModelArtifacts.KAFKA_SCHEME.equals(uri.getScheme())) {
            String version = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
            try {
                bytes = fetchFromKafka(uri.getAuthority(), version, ModelArtifacts.offset(uri), timeout);
            } catch (KafkaException e) {
                throw new ArtifactUnavailableException("Cannot read the artifact of " + version + " from " + uri.getAuthority()
                        + " now: " + e, e);
            }
        } else if ("file".equals(uri.getScheme())) {
            try {
                bytes = Files.readAllBytes(Path.of(uri));
            } catch (IOException e) {
                throw new InvalidModelException(InvalidModelException.Reason.TRUNCATED,
                        "Cannot read the artifact " + uri + ": " + e.getMessage());
            }
        } else {
            throw new InvalidModelException(InvalidModelException.Reason.BAD_METADATA,
                    "Unsupported artifact URI " + uri + " (expected kafka:// or file:)");
        }
        String actual = Sha256.hex(bytes);
        if (!actual.equalsIgnoreCase(release.getSha256())) {
            throw new InvalidModelException(InvalidModelException.Reason.CHECKSUM_MISMATCH, "Artifact of release "
                    + release.getVersion() + " has SHA-256 " + actual + " but the release says " + release.getSha256());
        }
        return bytes;
    }

    /** Reads from {@code from} (or the start of the topic) until every chunk of {@code version} is there, or the end. */
    private byte[] fetchFromKafka(String topicName, String version, long from, Duration timeout)
            throws InvalidModelException, ArtifactUnavailableException {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "maskstream-artifact-fetch-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        TreeMap<Integer, ModelArtifactChunk> chunks = new TreeMap<>();
        try (KafkaConsumer<String, ModelArtifactChunk> consumer = new KafkaConsumer<>(props,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            var partitions = consumer.partitionsFor(topicName, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            if (from >= 0 && partitions.size() == 1) {
                consumer.seek(partitions.get(0), from);
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end) && !complete(chunks)) {
                if (System.nanoTime() > deadline) {
                    throw new ArtifactUnavailableException("Timed out after " + timeout.toMillis() + " ms reading the "
                            + "artifact of " + version + " from " + topicName, null);
                }
                for (ConsumerRecord<String, ModelArtifactChunk> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && version.equals(r.value().getVersion())) {
                        chunks.put(r.value().getIndex(), r.value());
                    } else if (r.value() == null && r.key() != null && r.key().startsWith(version + "/")) {
                        chunks.clear(); // deleted (a tombstone): only chunks written after it count
                    }
                }
            }
        }
        if (chunks.isEmpty()) {
            throw new InvalidModelException(InvalidModelException.Reason.TRUNCATED,
                    "No artifact chunks for version " + version + " on " + topicName);
        }
        int count = chunks.firstEntry().getValue().getCount();
        if (chunks.size() != count || chunks.lastKey() != count - 1) {
            throw new InvalidModelException(InvalidModelException.Reason.TRUNCATED, "Artifact of " + version + " is incomplete: "
                    + chunks.size() + " of " + count + " chunks on " + topicName);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) chunks.firstEntry().getValue().getTotalBytes());
        for (ModelArtifactChunk c : chunks.values()) {
            ByteBuffer data = c.getData().duplicate();
            byte[] b = new byte[data.remaining()];
            data.get(b);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static boolean complete(TreeMap<Integer, ModelArtifactChunk> chunks) {
        return !chunks.isEmpty() && chunks.size() == chunks.firstEntry().getValue().getCount();
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
