package io.maskstream.releases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.ModelArtifactChunk;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.config.ClusterConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.ModelArtifacts;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Model bundles and releases travel through the real broker; damaged ones are refused. */
class ReleaseTransportIntegrationTest {

    static ClusterConfig config;

    @BeforeAll
    static void topics() throws Exception {
        var stack = SharedTestStack.get();
        config = new ClusterConfig(ConfigSource.of(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), "topic.model.releases", "rt-model-releases",
                "topic.model.artifacts", "rt-model-artifacts")));
        TopicAdmin.ensure(config);
    }

    static ModelRelease release(String version, ModelBundle bundle, String uri, ReleaseStatus status, Instant when) {
        return ModelRelease.newBuilder().setVersion(version).setArchitecture(bundle.metadata().architecture())
                .setInputWidth(bundle.metadata().input().width()).setInputHeight(bundle.metadata().input().height())
                .setStatus(status).setCreatedTime(when).setStatusTime(when).setSha256(bundle.sha256())
                .setArtifactUri(uri).setArtifactBytes(bundle.toBytes().length).setTrainingData("test")
                .setMetrics(null).setNotes(null).build();
    }

    @Test
    void aBundleLargerThanOneChunkComesBackByteForByte() throws Exception {
        ModelBundle bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "rt-1", 3);
        byte[] bytes = bundle.toBytes();
        assertThat(bytes.length).as("several chunks").isGreaterThan(ModelArtifacts.CHUNK_BYTES);
        ArtifactStore store = new ArtifactStore(config);
        String uri = store.publish("rt-1", bytes, bundle.sha256());
        byte[] fetched = store.fetch(release("rt-1", bundle, uri, ReleaseStatus.CANDIDATE, Instant.now()), Duration.ofSeconds(30));
        assertThat(fetched).isEqualTo(bytes);
        assertThat(ModelBundle.read(fetched).metadata().version()).isEqualTo("rt-1");
    }

    @Test
    void aChecksumMismatchAndAMissingChunkAreRefused() throws Exception {
        ModelBundle bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "rt-2", 4);
        ArtifactStore store = new ArtifactStore(config);
        String uri = store.publish("rt-2", bundle.toBytes(), bundle.sha256());
        ModelRelease lying = ModelRelease.newBuilder(release("rt-2", bundle, uri, ReleaseStatus.ACTIVE, Instant.now()))
                .setSha256("00" + bundle.sha256().substring(2)).build();
        assertThatThrownBy(() -> store.fetch(lying, Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(InvalidModelException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidModelException.Reason.CHECKSUM_MISMATCH));

        // a version whose second chunk never arrived
        var topic = new Topics(config).modelArtifacts();
        try (var producer = new KafkaProducer<>(config.kafkaProperties(io.maskstream.runtime.config.ServiceConfig.ClientKind.PRODUCER),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), ModelArtifacts.chunkKey("rt-3", 0), ModelArtifactChunk.newBuilder()
                    .setVersion("rt-3").setIndex(0).setCount(2).setTotalBytes(10).setSha256(bundle.sha256())
                    .setData(ByteBuffer.wrap(new byte[5])).build())).get(30, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> store.fetch(release("rt-3", bundle, ModelArtifacts.uri(topic.name(), "rt-3"),
                ReleaseStatus.ACTIVE, Instant.now()), Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(InvalidModelException.class, e -> {
                    assertThat(e.reason()).isEqualTo(InvalidModelException.Reason.TRUNCATED);
                    assertThat(e.getMessage()).contains("1 of 2 chunks");
                });
    }

    @Test
    void theLogKeepsEachVersionsLatestStateAndTheFollowerReportsANewActiveRelease() throws Exception {
        ModelBundle bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "rt-a", 5);
        ReleaseLog log = new ReleaseLog(config);
        Instant t0 = Instant.now();
        log.publish(release("rt-a", bundle, "file:/nowhere", ReleaseStatus.ACTIVE, t0));
        List<ModelRelease> seen = new CopyOnWriteArrayList<>();
        try (ReleaseFollower follower = new ReleaseFollower(config, seen::add)) {
            assertThat(follower.start(Duration.ofSeconds(30))).map(ModelRelease::getVersion).contains("rt-a");
            ModelRelease a = release("rt-a", bundle, "file:/nowhere", ReleaseStatus.ACTIVE, t0);
            log.publish(release("rt-b", bundle, "file:/nowhere", ReleaseStatus.CANDIDATE, t0.plusSeconds(1)));
            log.publish(ReleaseLog.withStatus(release("rt-b", bundle, "file:/nowhere", ReleaseStatus.CANDIDATE, t0),
                    ReleaseStatus.ACTIVE, "promoted"), ReleaseLog.withStatus(a, ReleaseStatus.RETIRED, "replaced"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(seen).extracting(ModelRelease::getVersion).containsExactly("rt-b");
        }
        Map<String, ModelRelease> all = log.readAll(Duration.ofSeconds(30));
        assertThat(all.get("rt-a").getStatus()).isEqualTo(ReleaseStatus.RETIRED);
        assertThat(ReleaseLog.active(all.values())).map(ModelRelease::getVersion).contains("rt-b");
    }

    /**
     * A fetch starts at the offset its release names: a record it cannot read earlier on the topic (here: not Avro)
     * is never read, where a fetch by the old, offset-less URI has to read the topic from its start and cannot.
     */
    @Test
    void aFetchReadsTheArtifactFromItsReleasesOffsetNotTheWholeTopic() throws Exception {
        ClusterConfig config = new ClusterConfig(ConfigSource.of(Map.of("bootstrap.servers",
                ReleaseTransportIntegrationTest.config.getList("bootstrap.servers").get(0), "schema.registry.url",
                ReleaseTransportIntegrationTest.config.getString("schema.registry.url"),
                "topic.model.releases", "rt-offset-releases", "topic.model.artifacts", "rt-offset-artifacts")));
        TopicAdmin.ensure(config);
        var topic = new Topics(config).modelArtifacts();
        try (var raw = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", config.getList("bootstrap.servers").get(0)),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topic.name(), "junk/000000", "not avro".getBytes())).get(30, TimeUnit.SECONDS);
        }
        ModelBundle bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "rt-offset", 6);
        ArtifactStore store = new ArtifactStore(config);
        String uri = store.publish("rt-offset", bundle.toBytes(), bundle.sha256());
        assertThat(ModelArtifacts.offset(java.net.URI.create(uri))).as("the URI names the first chunk").isPositive();
        assertThat(store.fetch(release("rt-offset", bundle, uri, ReleaseStatus.ACTIVE, Instant.now()), Duration.ofSeconds(30)))
                .isEqualTo(bundle.toBytes());
        assertThatThrownBy(() -> store.fetch(release("rt-offset", bundle, ModelArtifacts.uri(topic.name(), "rt-offset"),
                ReleaseStatus.ACTIVE, Instant.now()), Duration.ofSeconds(5)))
                .as("reading from the start meets the unreadable record").isInstanceOf(ArtifactUnavailableException.class);
    }

    @Test
    void aDeletedArtifactIsGoneAndItsFetchRefused() throws Exception {
        ModelBundle bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "rt-del", 7);
        ArtifactStore store = new ArtifactStore(config);
        ModelRelease r = release("rt-del", bundle, store.publish("rt-del", bundle.toBytes(), bundle.sha256()),
                ReleaseStatus.RETIRED, Instant.now());
        store.delete(r);
        assertThatThrownBy(() -> store.fetch(r, Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(InvalidModelException.class, e -> {
                    assertThat(e.reason()).isEqualTo(InvalidModelException.Reason.TRUNCATED);
                    assertThat(e.getMessage()).contains("No artifact chunks");
                });
    }

    /** An unreadable record on model-releases is skipped, and the follower goes on to report the next release. */
    @Test
    void theFollowerSkipsARecordItCannotReadAndKeepsFollowing() throws Exception {
        Map<String, String> own = new java.util.HashMap<>(Map.of("bootstrap.servers", config.getList("bootstrap.servers").get(0),
                "schema.registry.url", config.getString("schema.registry.url"), "topic.model.releases", "rt-poison-releases",
                "topic.model.artifacts", "rt-poison-artifacts"));
        ClusterConfig poisoned = new ClusterConfig(ConfigSource.of(own));
        TopicAdmin.ensure(poisoned);
        ModelBundle bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "rt-p1", 5);
        ReleaseLog log = new ReleaseLog(poisoned);
        log.publish(release("rt-p1", bundle, "file:/nowhere", ReleaseStatus.ACTIVE, Instant.now()));
        List<ModelRelease> seen = new CopyOnWriteArrayList<>();
        try (ReleaseFollower follower = new ReleaseFollower(poisoned, seen::add)) {
            assertThat(follower.start(Duration.ofSeconds(30))).map(ModelRelease::getVersion).contains("rt-p1");
            try (var raw = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", own.get("bootstrap.servers")),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                raw.send(new ProducerRecord<>("rt-poison-releases", "junk", new byte[] {0, 0, 0, 0, 99, 1, 2})).get(30,
                        TimeUnit.SECONDS);
            }
            log.publish(release("rt-p2", bundle, "file:/nowhere", ReleaseStatus.ACTIVE, Instant.now().plusSeconds(1)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(seen).extracting(ModelRelease::getVersion).containsExactly("rt-p2");
        }
    }
}
