package io.maskstream.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.synthetic.SceneOptions;
import io.maskstream.synthetic.SyntheticDataset;
import io.maskstream.synthetic.SyntheticScenes;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code camera} commands as a user runs them, against the real broker and registry. */
class CameraCommandIntegrationTest {

    static EmbeddedStack stack;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        stack = SharedTestStack.get();
    }

    @Test
    void syntheticCamerasWithAFrameBudgetEndAndExitZero() throws Exception {
        String frames = topic("cli-frames");
        int code = camera("synthetic", "--cameras", "2", "--unmasked", "1", "--frames", "6", "--fps", "30",
                "--set", "topic.frames=" + frames, "--set", "producers.synthetic.width=96",
                "--set", "producers.synthetic.height=128");
        assertThat(code).isZero();
        assertThat(keys(frames, 12)).hasSize(12).containsOnly("cam-1", "cam-2");
    }

    @Test
    void aFolderWithProblemsIsPublishedAsFarAsPossibleAndExitsOneOrStopsWithStopOnError() throws Exception {
        Path root = dir.resolve("ds");
        SyntheticDataset.write(root, new SyntheticFaces(SyntheticOptions.defaults(2).withSize(96, 128)), 3, 0, 1);
        Path broken = root.resolve("train/images").resolve(Files.list(root.resolve("train/images")).sorted().toList()
                .get(1).getFileName()).resolve("normal.jpg");
        Files.deleteIfExists(broken);
        Files.deleteIfExists(broken.resolveSibling("normal.png"));
        Files.deleteIfExists(broken.resolveSibling("normal.jpeg"));
        String labeled = topic("cli-labeled");

        int code = camera("folder", root.toString(), "--labeled", "--set", "topic.labeled.frames=" + labeled);
        assertThat(code).isEqualTo(1);
        assertThat(keys(labeled, 20)).hasSize(20).containsOnly("000001", "000002", "000003");

        String strict = topic("cli-strict");
        assertThat(camera("folder", root.toString(), "--stop-on-error", "--set", "topic.labeled.frames=" + strict))
                .isEqualTo(1);
        assertThat(keys(strict, 0)).isEmpty();
    }

    @Test
    void aCocoFolderGoesToLabeledFramesKeyedBySequenceAndWithAlsoFramesToFramesInFileOrder() throws Exception {
        Path root = dir.resolve("coco");
        new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(4)),
                SceneOptions.defaults().withSize(96, 72).withFramesPerSequence(3)).writeCoco(root, 2, 1);
        String labeled = topic("cli-scenes");
        String frames = topic("cli-scene-frames");
        int code = camera("folder", root.toString(), "--also-frames", "--camera-id", "lobby",
                "--set", "topic.labeled.frames=" + labeled, "--set", "topic.frames=" + frames);
        assertThat(code).isZero();
        assertThat(keys(labeled, 6)).hasSize(6).containsOnly("seq0000", "seq0001");
        assertThat(keys(frames, 6)).hasSize(6).containsOnly("lobby");
    }

    private static int camera(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--set", "bootstrap.servers=" + stack.bootstrapServers(),
                "--set", "schema.registry.url=" + stack.registryUrl()));
        return new CommandLine(new CameraCommand()).execute(all.toArray(String[]::new));
    }

    private static String topic(String prefix) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, 2, (short) 1))).all().get();
        }
        return name;
    }

    private static List<String> keys(String topic, int expected) {
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(expected == 0 ? 2 : 20).toNanos();
            while (System.nanoTime() < deadline && (keys.size() < expected || expected == 0)) {
                c.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
            }
            c.poll(Duration.ofMillis(300)).forEach(r -> keys.add(r.key()));
        }
        return keys;
    }
}
