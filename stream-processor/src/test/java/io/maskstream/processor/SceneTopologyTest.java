package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.Face;
import io.maskstream.events.Frame;
import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detect mode without a broker: real decoding, batching, cropping, a real classifier and the real tracker; the
 * detector is {@link RedBoxDetector} (red rectangles are the faces), so the test knows where every face is.
 */
class SceneTopologyTest {

    static Classifier model;
    static String registryUrl;

    ModelHolder models;
    RedBoxDetector detector;
    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> frames;
    TestOutputTopic<String, Classification> classifications;
    TestOutputTopic<byte[], DeadLetter> deadLetters;
    Serializer<Frame> frameWriter;

    @BeforeAll
    static void loadModel() throws Exception {
        registryUrl = SharedTestStack.get().registryUrl();
        model = Classifier.load(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-scenes", 7),
                ComputeSettings.defaults());
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @BeforeEach
    void setUp(@TempDir Path stateDir) {
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(Map.of("schema.registry.url", registryUrl,
                "topic.frames", "scn-frames", "topic.classifications", "scn-classifications",
                ProcessorConfig.MAX_BATCH_SIZE, "4", ProcessorConfig.MAX_BATCH_DELAY_MS, "100",
                ProcessorConfig.FACES_MODE, "detect", ProcessorConfig.TRACKING_MAX_GAP_FRAMES, "2",
                ProcessorConfig.STATE_DIR, stateDir.toString())));
        Topics topics = new Topics(config);
        Properties props = FrameTopology.streamsProperties(config);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        models = new ModelHolder(v -> { });
        detector = new RedBoxDetector();
        models.swap(FaultyModel.healthy(model), detector);
        driver = new TopologyTestDriver(FrameTopology.build(config, topics, models, new ProcessorMetrics(
                new SimpleMeterRegistry()), Inference.onStreamThread()), props);
        frames = driver.createInputTopic("scn-frames", new ByteArraySerializer(), new ByteArraySerializer());
        classifications = driver.createOutputTopic("scn-classifications", new StringDeserializer(),
                topics.classifications().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic("scn-frames-dlq", topics.deadLetters("scn-frames").keySerde().deserializer(),
                topics.deadLetters("scn-frames").valueSerde().deserializer());
        frameWriter = topics.frames().valueSerde().serializer();
    }

    @AfterEach
    void tearDown() {
        driver.close();
        models.close();
    }

    /** A 320×240 PNG with a red rectangle per box {x, y, w, h}. */
    static byte[] scene(int[]... boxes) throws Exception {
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(90, 120, 90));
        g.fillRect(0, 0, 320, 240);
        g.setColor(new Color(255, 0, 0));
        for (int[] b : boxes) {
            g.fillRect(b[0], b[1], b[2], b[3]);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    void send(String camera, long seq, byte[] png) {
        Frame f = Frame.newBuilder().setCameraId(camera).setSequence(seq).setCaptureTime(Instant.now())
                .setImage(ByteBuffer.wrap(png)).setContentType("image/png").setSource(null).build();
        frames.pipeInput(camera.getBytes(), frameWriter.serialize("scn-frames", f));
    }

    @Test
    void everyFaceIsClassifiedWithItsBoxAndTheLargestIsTheFramesVerdict() throws Exception {
        send("cam-1", 0, scene(new int[] {10, 20, 30, 30}, new int[] {150, 40, 60, 70}, new int[] {260, 150, 20, 20}));
        send("cam-1", 1, scene(new int[] {12, 20, 30, 30}));
        send("cam-1", 2, scene());
        send("cam-1", 3, scene(new int[] {14, 20, 30, 30}));
        List<Classification> out = classifications.readValuesToList();
        assertThat(out).hasSize(4);
        assertThat(detector.passes.get()).as("one detector pass for the batch of 4").isEqualTo(1);
        Classification first = out.get(0);
        assertThat(first.getFaces()).hasSize(3);
        Face largest = first.getFaces().get(0);
        assertThat(largest.getBox().getX()).isEqualTo(150f);
        assertThat(largest.getBox().getWidth()).isEqualTo(60f);
        assertThat(largest.getBox().getHeight()).isEqualTo(70f);
        assertThat(first.getMask()).isEqualTo(largest.getMask());
        assertThat(first.getClassCode()).isEqualTo(largest.getClassCode());
        assertThat(first.getDetectorVersion()).isEqualTo("red-boxes");
        assertThat(first.getBatchSize()).isEqualTo(4);

        Classification empty = out.get(2);
        assertThat(empty.getFaces()).as("a frame with nobody is an event with zero faces").isEmpty();
        assertThat(empty.getMask()).isNull();
        assertThat(empty.getClassCode()).isNull();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void eachPersonKeepsATrackIdAcrossFramesAndEachCameraCountsItsOwn() throws Exception {
        for (int seq = 0; seq < 8; seq++) {
            send("cam-a", seq, scene(new int[] {10 + 4 * seq, 30, 40, 40}, new int[] {250 - 4 * seq, 100, 40, 40}));
            send("cam-b", seq, scene(new int[] {100, 100, 50, 50}));
        }
        List<Classification> out = classifications.readValuesToList();
        assertThat(out).hasSize(16);
        List<Classification> a = out.stream().filter(c -> c.getCameraId().equals("cam-a")).toList();
        assertThat(a).allSatisfy(c -> {
            Face left = c.getFaces().stream().filter(f -> f.getBox().getY() < 50).findFirst().orElseThrow();
            Face right = c.getFaces().stream().filter(f -> f.getBox().getY() >= 50).findFirst().orElseThrow();
            assertThat(left.getTrackId()).isEqualTo(1L);
            assertThat(right.getTrackId()).isEqualTo(2L);
        });
        assertThat(out.stream().filter(c -> c.getCameraId().equals("cam-b")))
                .allSatisfy(c -> assertThat(c.getFaces().get(0).getTrackId()).isEqualTo(1L));
    }

    @Test
    void someoneWhoLeavesForLongerThanTheGapComesBackAsANewTrack() throws Exception {
        int[] face = {100, 100, 40, 40};
        send("cam-c", 0, scene(face));
        send("cam-c", 1, scene());
        send("cam-c", 2, scene());
        send("cam-c", 3, scene(face)); // unseen for 2 frames: within the gap
        for (int seq = 4; seq < 7; seq++) {
            send("cam-c", seq, scene());
        }
        send("cam-c", 7, scene(face)); // unseen for 3 frames: a new person
        List<Classification> out = classifications.readValuesToList();
        assertThat(out).hasSize(8);
        assertThat(out.get(3).getFaces().get(0).getTrackId()).isEqualTo(1L);
        assertThat(out.get(7).getFaces().get(0).getTrackId()).isEqualTo(2L);
    }
}
