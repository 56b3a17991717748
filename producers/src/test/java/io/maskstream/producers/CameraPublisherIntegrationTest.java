package io.maskstream.producers;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.ImageCodec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetLayout;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.producers.dataset.DatasetSource;
import io.maskstream.producers.synthetic.Scenario;
import io.maskstream.producers.synthetic.SyntheticCamera;
import io.maskstream.synthetic.SyntheticDataset;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.synthetic.SyntheticPerson;
import io.maskstream.producers.video.StreamAddress;
import io.maskstream.producers.video.TestVideos;
import io.maskstream.producers.video.VideoSource;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CameraPublisherIntegrationTest {

    static EmbeddedStack stack;
    static Admin admin;

    @TempDir
    Path dir;

    private final SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(21).withSize(192, 256));

    @BeforeAll
    static void start() {
        stack = SharedTestStack.get();
        admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        admin.close();
    }

    @Test
    void twoSyntheticCamerasPublishExactlyTheirFramesInPerCameraOrder() throws Exception {
        int n = 40;
        String frames = topic("frames", 3, Map.of());
        ProducersConfig config = config(Map.of(CommonConfig.TOPIC_FRAMES, frames));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<CameraSource> cameras = List.of(
                new SyntheticCamera("cam-1", 50, faces, Scenario.masked(10, 0.1), 20, n),
                new SyntheticCamera("cam-2", 50, faces, Scenario.unmasked(10, 0.5, 0.1), 20, n));

        try (CameraPublisher publisher = new CameraPublisher(config, registry, cameras)) {
            publisher.start();
            assertThat(publisher.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(publisher.stats()).allSatisfy(s -> {
                assertThat(s.published()).isEqualTo(n);
                assertThat(s.acknowledged()).isEqualTo(n);
                assertThat(s.rejected() + s.failed()).isZero();
                assertThat(s.finished()).isTrue();
                assertThat(s.failure()).isNull();
            });
        }

        List<ConsumerRecord<String, Frame>> records = consume(frames, Frame.class, 2 * n);
        assertThat(records).hasSize(2 * n);
        Map<String, List<ConsumerRecord<String, Frame>>> byCamera = records.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key));
        assertThat(byCamera).containsOnlyKeys("cam-1", "cam-2");
        List<Long> expected = IntStream.range(0, n).mapToObj(i -> (long) i).toList();
        byCamera.forEach((camera, list) -> {
            assertThat(list).extracting(r -> r.value().getSequence()).containsExactlyElementsOf(expected);
            assertThat(list).allSatisfy(r -> {
                Frame f = r.value();
                assertThat(f.getCameraId()).isEqualTo(camera);
                assertThat(f.getContentType()).isEqualTo(ImageCodec.JPEG);
                assertThat(f.getWidth()).isEqualTo(192);
                assertThat(f.getHeight()).isEqualTo(256);
                assertThat(f.getSource()).startsWith("synthetic:");
                assertThat(r.timestamp()).isEqualTo(f.getCaptureTime().toEpochMilli());
            });
            for (int i = 1; i < list.size(); i++) {
                assertThat(list.get(i).value().getCaptureTime()).isAfterOrEqualTo(list.get(i - 1).value().getCaptureTime());
            }
            // one camera's frames share one partition
            assertThat(list.stream().map(ConsumerRecord::partition).distinct()).hasSize(1);
        });
        byte[] image = bytes(byCamera.get("cam-1").get(0).value().getImage());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image));
        assertThat(decoded.getWidth()).isEqualTo(192);
        assertThat(registry.get("maskstream.producer.frames.sent").tag("camera", "cam-2").counter().count()).isEqualTo(n);
        assertThat(registry.get("maskstream.producer.bytes.sent").tag("camera", "cam-1").counter().count()).isGreaterThan(n * 1000);
    }

    @Test
    void aDatasetFolderPublishesTrainAsLabeledFramesByPersonAndEvalAsFramesByImageId() throws Exception {
        int persons = 4;
        SyntheticDataset.write(dir, faces, persons, 1, 2);
        DatasetScan scan = CompetitionDataset.scan(dir, true);
        String frames = topic("eval-frames", 2, Map.of());
        String labeled = topic("labeled", 3, Map.of());
        ProducersConfig config = config(Map.of(CommonConfig.TOPIC_FRAMES, frames, CommonConfig.TOPIC_LABELED_FRAMES, labeled));

        try (CameraPublisher publisher = new CameraPublisher(config, new SimpleMeterRegistry(), List.of(
                DatasetSource.labeled(scan, "dataset-train", 0, true), DatasetSource.eval(scan, "dataset-eval", 0, true)))) {
            publisher.start();
            assertThat(publisher.awaitCompletion(Duration.ofSeconds(60))).isTrue();
        }

        List<ConsumerRecord<String, LabeledFrame>> train = consume(labeled, LabeledFrame.class, persons * 7);
        assertThat(train).hasSize(persons * 7);
        Map<String, List<LabeledFrame>> byPerson = train.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
        assertThat(byPerson.keySet()).containsExactlyInAnyOrder("000001", "000002", "000003", "000004");
        for (int i = 0; i < persons; i++) {
            SyntheticPerson p = faces.person(i);
            List<LabeledFrame> photos = byPerson.get(p.id());
            assertThat(photos).hasSize(7);
            assertThat(photos).allSatisfy(f -> {
                assertThat(f.getPersonId()).isEqualTo(p.id());
                assertThat(f.getGender()).isEqualTo(p.gender());
                assertThat(f.getAge()).isEqualTo(p.age());
                assertThat(f.getRace()).isEqualTo("Asian");
                assertThat(f.getFrame().getCameraId()).isEqualTo("dataset-train");
                String stem = f.getSourcePath().substring(f.getSourcePath().lastIndexOf('/') + 1).split("\\.")[0];
                assertThat(f.getMaskState()).isEqualTo(DatasetLayout.maskState(stem).orElseThrow());
            });
            assertThat(photos).extracting(LabeledFrame::getMaskState).containsExactly(MaskState.WORN, MaskState.WORN,
                    MaskState.WORN, MaskState.WORN, MaskState.WORN, MaskState.INCORRECT, MaskState.NONE);
        }
        assertThat(train).extracting(r -> r.value().getFrame().getSequence()).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, persons * 7).mapToObj(i -> (long) i).toList());

        List<ConsumerRecord<String, Frame>> eval = consume(frames, Frame.class, 7);
        assertThat(eval).hasSize(7);
        assertThat(eval).allSatisfy(r -> assertThat(r.key()).isEqualTo("dataset-eval"));
        assertThat(eval).extracting(r -> r.value().getSource())
                .containsExactlyElementsOf(scan.eval().stream().map(e -> e.imageId()).toList());
    }

    @Test
    void aFrameOverTheLimitIsRejectedCountedAndDeadLetteredWhileTheOtherFramesGoOut() throws Exception {
        String frames = topic("oversize", 1, Map.of());
        admin.createTopics(List.of(new NewTopic(frames + "-dlq", 1, (short) 1))).all().get();
        ProducersConfig config = config(Map.of(CommonConfig.TOPIC_FRAMES, frames,
                CommonConfig.TOPIC_FRAMES_MAX_BYTES, "65536"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CameraSource camera = new Scripted("big-cam", 20,
                new SyntheticCamera("big-cam", 20, faces, Scenario.masked(5, 0), 5, 10), 3, noisePng(260, 260));

        CameraStats stats;
        try (CameraPublisher publisher = new CameraPublisher(config, registry, List.of(camera))) {
            publisher.start();
            assertThat(publisher.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            stats = publisher.stats().get(0);
        }

        assertThat(stats.rejected()).isEqualTo(1);
        assertThat(stats.published()).isEqualTo(10);
        assertThat(stats.acknowledged()).isEqualTo(9);
        assertThat(stats.failure()).isNull();
        assertThat(registry.get("maskstream.producer.frames.rejected").tags("camera", "big-cam", "reason", "too_large")
                .counter().count()).isEqualTo(1);
        List<ConsumerRecord<String, Frame>> records = consume(frames, Frame.class, 9);
        assertThat(records).extracting(r -> r.value().getSequence()).containsExactly(0L, 1L, 2L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(records).allSatisfy(r -> assertThat(r.value().getContentType()).isEqualTo(ImageCodec.JPEG));
        assertTooLargeDeadLetter(frames, "big-cam", 3, "over the limit of 65536");
        assertThat(registry.get("maskstream.producer.frames.dead.lettered").tags("camera", "big-cam").counter().count())
                .isEqualTo(1);
    }

    /** The one dead letter of {@code frames}: the refused frame's camera and sequence, the reason, no image bytes. */
    private static void assertTooLargeDeadLetter(String frames, String camera, long sequence, String messagePart) {
        List<ConsumerRecord<String, DeadLetter>> letters = consume(frames + "-dlq", DeadLetter.class, 1);
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0).value();
        assertThat(letters.get(0).key()).isEqualTo(camera);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.IMAGE_TOO_LARGE);
        assertThat(letter.getCameraId()).isEqualTo(camera);
        assertThat(letter.getFrameSequence()).isEqualTo(sequence);
        assertThat(letter.getOriginalTopic()).isEqualTo(frames);
        assertThat(letter.getOriginalPartition()).isEqualTo(-1);
        assertThat(letter.getOriginalOffset()).isEqualTo(-1L);
        assertThat(letter.getOriginalValue()).isNull();
        assertThat(letter.getService()).isEqualTo("producers");
        assertThat(letter.getMessage()).contains("Frame " + sequence, camera, messagePart, "source oversized");
    }

    @Test
    void aFrameTheBrokerRefusesIsCountedAndDeadLetteredAndTheCameraGoesOn() throws Exception {
        String frames = topic("broker-limit", 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "40000"));
        admin.createTopics(List.of(new NewTopic(frames + "-dlq", 1, (short) 1))).all().get();
        ProducersConfig config = config(Map.of(CommonConfig.TOPIC_FRAMES, frames,
                CommonConfig.TOPIC_FRAMES_MAX_BYTES, "65536"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // ~43 KB: within our limit, over the topic's own
        CameraSource camera = new Scripted("cam-b", 20,
                new SyntheticCamera("cam-b", 20, faces, Scenario.masked(5, 0), 5, 10), 4, noisePng(120, 120));

        CameraStats stats;
        try (CameraPublisher publisher = new CameraPublisher(config, registry, List.of(camera))) {
            publisher.start();
            assertThat(publisher.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            stats = publisher.stats().get(0);
        }

        assertThat(stats.published()).isEqualTo(10);
        assertThat(stats.rejected()).isEqualTo(1);
        assertThat(stats.acknowledged()).isEqualTo(9);
        assertThat(registry.get("maskstream.producer.frames.rejected").tags("camera", "cam-b", "reason", "broker_too_large")
                .counter().count()).isEqualTo(1);
        List<ConsumerRecord<String, Frame>> records = consume(frames, Frame.class, 9);
        assertThat(records).extracting(r -> r.value().getSequence()).containsExactly(0L, 1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L);
        assertTooLargeDeadLetter(frames, "cam-b", 4, "refused by Kafka as too large");
    }

    @Test
    void withoutADeadLetterTopicARefusedFrameIsStillCountedAndTheCameraGoesOn() throws Exception {
        String frames = topic("oversize-nodlq", 1, Map.of());
        ProducersConfig config = config(Map.of(CommonConfig.TOPIC_FRAMES, frames,
                CommonConfig.TOPIC_FRAMES_MAX_BYTES, "65536"));
        CameraSource camera = new Scripted("cam-n", 20,
                new SyntheticCamera("cam-n", 20, faces, Scenario.masked(5, 0), 5, 5), 1, noisePng(260, 260));

        CameraStats stats;
        try (CameraPublisher publisher = new CameraPublisher(config, new SimpleMeterRegistry(), List.of(camera))) {
            publisher.start();
            assertThat(publisher.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            stats = publisher.stats().get(0);
        }

        assertThat(stats.published()).isEqualTo(5);
        assertThat(stats.rejected()).isEqualTo(1);
        assertThat(stats.acknowledged()).isEqualTo(4);
        assertThat(stats.failure()).isNull();
    }

    @Test
    void aVideoFileCameraPublishesItsSampledFramesWithConsecutiveSequenceNumbers() throws Exception {
        Path video = TestVideos.mp4(dir.resolve("clip.mp4"), 384, 512, 10, 30);
        String frames = topic("video", 1, Map.of());
        ProducersConfig config = config(Map.of(CommonConfig.TOPIC_FRAMES, frames, ProducersConfig.FPS, "5",
                ProducersConfig.VIDEO_REALTIME, "false"));
        VideoSource source = new VideoSource("video-cam", StreamAddress.parse(video.toString(), null),
                VideoSource.Settings.of(config), new SimpleMeterRegistry());

        try (CameraPublisher publisher = new CameraPublisher(config, new SimpleMeterRegistry(), List.of(source))) {
            publisher.start();
            assertThat(publisher.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(publisher.stats().get(0).failure()).isNull();
        }

        List<ConsumerRecord<String, Frame>> records = consume(frames, Frame.class, 15);
        assertThat(records).extracting(r -> r.value().getSequence())
                .containsExactlyElementsOf(IntStream.range(0, 15).mapToObj(i -> (long) i).toList());
        for (ConsumerRecord<String, Frame> r : records) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes(r.value().getImage())));
            assertThat(img.getWidth()).isEqualTo(384);
            assertThat(img.getHeight()).isEqualTo(512);
            assertThat(r.key()).isEqualTo("video-cam");
        }
    }

    @Test
    void aMissingTopicStopsTheStartWithAClearMessage() {
        ProducersConfig config = config(Map.of(CommonConfig.TOPIC_FRAMES, "missing-" + UUID.randomUUID()));
        CameraPublisher publisher = new CameraPublisher(config, new SimpleMeterRegistry(),
                List.of(new SyntheticCamera("c", 5, faces, Scenario.masked(5, 0), 5, 1)));
        assertThatThrownBy(publisher::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not exist").hasMessageContaining("maskstream topics create");
        publisher.close();
    }

    @Test
    void cameraIdsMustBeUnique() {
        ProducersConfig config = config(Map.of());
        assertThatThrownBy(() -> new CameraPublisher(config, new SimpleMeterRegistry(), List.of(
                new SyntheticCamera("same", 5, faces, Scenario.masked(5, 0), 5, 1),
                new SyntheticCamera("same", 5, faces, Scenario.masked(5, 0), 5, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'same'");
    }

    // ------------------------------------------------------------------ helpers

    /** Replays a delegate's captures, replacing capture number {@code at} by a given (large) image. */
    static final class Scripted implements CameraSource {
        private final String id;
        private final double fps;
        private final CameraSource delegate;
        private final int at;
        private final byte[] replacement;
        private int n;

        Scripted(String id, double fps, CameraSource delegate, int at, byte[] replacement) {
            this.id = id;
            this.fps = fps;
            this.delegate = delegate;
            this.at = at;
            this.replacement = replacement;
        }

        @Override
        public String cameraId() {
            return id;
        }

        @Override
        public double fps() {
            return fps;
        }

        @Override
        public Capture next() throws java.io.IOException, InterruptedException {
            Capture c = delegate.next();
            if (c != null && n++ == at) {
                return Capture.of(replacement, ImageCodec.PNG, 0, 0, Instant.now(), "oversized");
            }
            return c;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** A PNG of random pixels: it does not compress, so its size is about width × height × 3 bytes. */
    static byte[] noisePng(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(1);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return ImageCodec.png(img);
    }

    private ProducersConfig config(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>();
        values.put(CommonConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        values.put(ProducersConfig.SHUTDOWN_TIMEOUT_MS, "5000");
        values.putAll(extra);
        return new ProducersConfig(ConfigSource.of(values));
    }

    private static String topic(String prefix, int partitions, Map<String, String> configs) throws Exception {
        String name = "producers-it-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        return name;
    }

    /** Every record of {@code topic}, waiting for at least {@code expected}, then a little longer for extras. */
    private static <V extends SpecificRecord> List<ConsumerRecord<String, V>> consume(String topic, Class<V> type,
                                                                                        int expected) {
        Map<String, Object> props = Map.of("bootstrap.servers", stack.bootstrapServers(), "enable.auto.commit", "false",
                "max.partition.fetch.bytes", String.valueOf(8 * 1024 * 1024));
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer()); AvroDeserializer<V> values = new AvroDeserializer<>()) {
            values.configure(Map.of(CommonConfig.SCHEMA_REGISTRY_URL, stack.registryUrl()), false);
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                Iterator<ConsumerRecord<String, byte[]>> it = consumer.poll(Duration.ofMillis(200)).iterator();
                while (it.hasNext()) {
                    ConsumerRecord<String, byte[]> r = it.next();
                    out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                            r.serializedKeySize(), r.serializedValueSize(), r.key(), values.deserialize(topic, r.value()),
                            r.headers(), r.leaderEpoch()));
                }
                if (out.size() >= expected && settle == Long.MAX_VALUE) {
                    settle = System.nanoTime() + Duration.ofMillis(500).toNanos();
                }
            }
        }
        out.sort(java.util.Comparator.<ConsumerRecord<String, V>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return out;
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
