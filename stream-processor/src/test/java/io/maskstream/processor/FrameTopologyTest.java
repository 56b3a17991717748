package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology without a broker (TopologyTestDriver), with a real model and real images. The Avro serdes
 * need a schema registry: the real one from the shared test stack, not a fake.
 */
class FrameTopologyTest {

    static Classifier model;
    static String registryUrl;

    ModelHolder models;
    FaultyModel serving;
    SimpleMeterRegistry meters;

    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> frames;
    TestOutputTopic<String, Classification> classifications;
    TestOutputTopic<byte[], DeadLetter> deadLetters;
    Serializer<Frame> frameWriter;

    @BeforeAll
    static void loadModel() throws Exception {
        registryUrl = SharedTestStack.get().registryUrl();
        model = Classifier.load(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-driver", 7),
                ComputeSettings.defaults());
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    /** Serves {@code next} from now on (the real model behind it stays open). */
    void serve(FaultyModel next) {
        serving = next;
        models.swap(next);
    }

    Path stateDir;

    @BeforeEach
    void setUp(@TempDir Path stateDir) {
        this.stateDir = stateDir;
        start(Map.of());
    }

    /** Builds the driver over the test's settings plus {@code extra}. */
    void start(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("schema.registry.url", registryUrl,
                "topic.frames", "drv-frames", "topic.classifications", "drv-classifications",
                ProcessorConfig.MAX_BATCH_SIZE, "4", ProcessorConfig.MAX_BATCH_DELAY_MS, "100",
                ProcessorConfig.STATE_DIR, stateDir.toString()));
        settings.putAll(extra);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        Topics topics = new Topics(config);
        Properties props = FrameTopology.streamsProperties(config);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        models = new ModelHolder(v -> { });
        serve(FaultyModel.healthy(model));
        meters = new SimpleMeterRegistry();
        // Inference on the driver's thread keeps these tests deterministic; the async path has its own test below.
        driver = new TopologyTestDriver(FrameTopology.build(config, topics, models, new ProcessorMetrics(meters),
                inferenceExecutor()), props);
        frames = driver.createInputTopic("drv-frames", new ByteArraySerializer(), new ByteArraySerializer());
        classifications = driver.createOutputTopic("drv-classifications", new StringDeserializer(),
                topics.classifications().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic("drv-frames-dlq", topics.deadLetters("drv-frames").keySerde().deserializer(),
                topics.deadLetters("drv-frames").valueSerde().deserializer());
        frameWriter = topics.frames().valueSerde().serializer();
    }

    @AfterEach
    void tearDown() {
        driver.close();
        models.close();
    }

    /**
     * The events emitted so far plus those still coming, until {@code n} arrived: with inference on another
     * thread they arrive a little later, so this polls (advancing the wall clock by 1 ms per round).
     */
    List<Classification> awaitEvents(int n) throws InterruptedException {
        return awaitRecords(classifications, n).stream().map(TestRecord::value).toList();
    }

    List<TestRecord<byte[], DeadLetter>> awaitDeadLetters(int n) throws InterruptedException {
        return awaitRecords(deadLetters, n);
    }

    List<TestRecord<String, Classification>> awaitEventRecords(int n) throws InterruptedException {
        return awaitRecords(classifications, n);
    }

    private <K, V> List<TestRecord<K, V>> awaitRecords(TestOutputTopic<K, V> topic, int n) throws InterruptedException {
        List<TestRecord<K, V>> out = new java.util.ArrayList<>(topic.readRecordsToList());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
            driver.advanceWallClockTime(Duration.ofMillis(1));
            out.addAll(topic.readRecordsToList());
        }
        return out;
    }

    /** Overridden by the async variant. */
    Inference inferenceExecutor() {
        return Inference.onStreamThread();
    }

    void send(Frame f) {
        frames.pipeInput(f.getCameraId().getBytes(), frameWriter.serialize("drv-frames", f));
    }

    @Test
    void batchIsInferredAsSoonAsItIsFull() throws Exception {
        for (int i = 0; i < 3; i++) {
            send(TestFrames.frame("cam-a", i));
        }
        assertThat(classifications.isEmpty()).as("3 frames wait for a 4th").isTrue();
        send(TestFrames.frame("cam-a", 3));
        List<Classification> out = awaitEvents(4);
        assertThat(out).hasSize(4);
        assertThat(out).allSatisfy(c -> {
            assertThat(c.getBatchSize()).isEqualTo(4);
            assertThat(c.getModelVersion()).isEqualTo("v-driver");
        });
    }

    @Test
    void aLoneFrameIsInferredWhenTheDeadlinePasses() throws Exception {
        send(TestFrames.frame("cam-b", 0));
        driver.advanceWallClockTime(Duration.ofMillis(40));
        assertThat(classifications.isEmpty()).as("before the 100 ms deadline").isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(70));
        List<Classification> out = awaitEvents(1);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getBatchSize()).isEqualTo(1);
        assertThat(out.get(0).getFrameSequence()).isZero();
    }

    @Test
    void badFramesGoToTheDeadLetterTopicWithTheirReasonAndTheStreamGoesOn() throws Exception {
        byte[] good = TestFrames.jpeg(96, 128, 1);
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        byte[] random = new byte[5000];
        new Random(3).nextBytes(random);

        send(TestFrames.frame("cam-c", 0));
        send(TestFrames.frame("cam-c", 1, truncated));
        send(TestFrames.frame("cam-c", 2, random));
        frames.pipeInput("cam-c".getBytes(), "not avro at all".getBytes());
        frames.pipeInput("cam-c".getBytes(), (byte[]) null);
        Frame gif = TestFrames.frame("cam-c", 5);
        gif.setContentType("image/gif");
        send(gif);
        send(TestFrames.frame("cam-c", 6));
        driver.advanceWallClockTime(Duration.ofMillis(200));

        List<Classification> out = awaitEvents(2);
        assertThat(out).extracting(Classification::getFrameSequence).containsExactly(0L, 6L);
        List<TestRecord<byte[], DeadLetter>> dead = deadLetters.readRecordsToList();
        assertThat(dead).extracting(r -> r.value().getReason()).containsExactly(DeadLetterReason.UNDECODABLE_IMAGE,
                DeadLetterReason.UNDECODABLE_IMAGE, DeadLetterReason.NOT_AVRO, DeadLetterReason.NULL_VALUE,
                DeadLetterReason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(dead).allSatisfy(r -> {
            assertThat(r.value().getMessage()).isNotBlank();
            assertThat(r.value().getOriginalTopic()).isEqualTo("drv-frames");
            assertThat(new String(r.key())).isEqualTo("cam-c");
        });
        assertThat(dead.get(0).value().getFrameSequence()).isEqualTo(1L);
        assertThat(dead.get(0).value().getOriginalValue().remaining()).as("original bytes kept").isGreaterThan(0);
    }

    @Test
    void eachCamerasEventsKeepTheOrderOfItsFrames() throws Exception {
        for (int i = 0; i < 10; i++) {
            for (String cam : List.of("cam-1", "cam-2", "cam-3")) {
                send(TestFrames.frame(cam, i));
            }
        }
        driver.advanceWallClockTime(Duration.ofMillis(200));
        Map<String, List<Long>> byCamera = awaitEvents(30).stream().collect(Collectors.groupingBy(
                Classification::getCameraId, Collectors.mapping(Classification::getFrameSequence, Collectors.toList())));
        List<Long> expected = java.util.stream.LongStream.range(0, 10).boxed().toList();
        assertThat(byCamera).containsOnlyKeys("cam-1", "cam-2", "cam-3");
        byCamera.values().forEach(seqs -> assertThat(seqs).isEqualTo(expected));
    }

    @Test
    void eventsCarryHeadsClassCodeAndLatency() throws Exception {
        send(TestFrames.frame("cam-d", 0));
        driver.advanceWallClockTime(Duration.ofMillis(150));
        Classification c = awaitEvents(1).get(0);
        assertThat(c.getMask().getProbabilities()).hasSize(3);
        assertThat(c.getGender().getProbabilities()).hasSize(2);
        assertThat(c.getAge().getProbabilities()).hasSize(3);
        assertThat(c.getClassCode()).isEqualTo(c.getMask().getLabel().ordinal() * 6
                + c.getGender().getLabel().ordinal() * 3 + c.getAge().getLabel().ordinal());
        assertThat(c.getLatencyMs()).isEqualTo(c.getProcessedTime().toEpochMilli() - c.getCaptureTime().toEpochMilli());
        assertThat(c.getUncertainty()).as("one forward pass: no uncertainty").isNull();
        assertThat(c.getFaces().get(0).getUncertainty()).isNull();
    }

    @Test
    void withMcDropoutEveryEventCarriesTheSpreadOfItsPassesAndTheSameFrameGetsTheSameAnswerInAnotherBatch()
            throws Exception {
        driver.close();
        models.close();
        start(Map.of(ProcessorConfig.MC_PASSES, "6", ProcessorConfig.MC_DROPOUT, "0.5"));
        byte[] twice = TestFrames.jpeg(96, 128, 77);
        for (int i = 0; i < 4; i++) {
            send(i == 2 ? TestFrames.frame("cam-u", i, twice) : TestFrames.frame("cam-u", i)); // a full batch of 4
        }
        send(TestFrames.frame("cam-v", 0, twice)); // frame 2's image again, alone
        driver.advanceWallClockTime(Duration.ofMillis(150));
        List<Classification> events = awaitEvents(5);

        assertThat(events).hasSize(5);
        for (Classification c : events) {
            io.maskstream.events.Uncertainty u = c.getUncertainty();
            assertThat(u.getMethod()).isEqualTo("mc-dropout");
            assertThat(u.getPasses()).isEqualTo(6);
            assertThat(u.getAgreement()).isBetween(0f, 1f);
            assertThat(Math.max(Math.max(u.getMaskSpread(), u.getGenderSpread()), u.getAgeSpread())).isGreaterThan(0f);
            assertThat(c.getFaces().get(0).getUncertainty()).as("the top level is the most prominent face's")
                    .isEqualTo(u);
        }
        Classification inBatch = events.get(2);
        Classification alone = events.get(4);
        assertThat(alone.getBatchSize()).isEqualTo(1);
        assertThat(alone.getClassCode()).isEqualTo(inBatch.getClassCode());
        assertThat(alone.getClassProbability()).isCloseTo(inBatch.getClassProbability(), within(1e-5f));
        io.maskstream.events.Uncertainty a = alone.getUncertainty();
        io.maskstream.events.Uncertainty b = inBatch.getUncertainty(); // the same masks; float rounding of the batch only
        assertThat(new float[] {a.getMaskSpread(), a.getGenderSpread(), a.getAgeSpread(), a.getClassSpread(), a.getAgreement()})
                .containsExactly(new float[] {b.getMaskSpread(), b.getGenderSpread(), b.getAgeSpread(), b.getClassSpread(),
                        b.getAgreement()}, within(1e-5f));
    }

    @Test
    void oneMcDropoutPassIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new ProcessorConfig(ConfigSource.of(Map.of(ProcessorConfig.MC_PASSES, "1"))))
                .hasMessageContaining(ProcessorConfig.MC_PASSES).hasMessageContaining("one pass has no spread");
        assertThatThrownBy(() -> new ProcessorConfig(ConfigSource.of(Map.of(ProcessorConfig.MC_DROPOUT, "1.0"))))
                .hasMessageContaining(ProcessorConfig.MC_DROPOUT);
    }

    @Test
    void aBatchThatFailsAsAWholeIsRetriedFrameByFrameAndTheFrameThatStillFailsIsDeadLettered() throws Exception {
        serve(FaultyModel.failingBatchesAndSingleCall(model, 2));
        for (int i = 0; i < 4; i++) {
            send(TestFrames.frame("cam-f", i));
        }
        List<Classification> out = awaitEvents(3);
        assertThat(out).extracting(Classification::getFrameSequence).containsExactly(0L, 2L, 3L);
        assertThat(out).allSatisfy(c -> assertThat(c.getBatchSize()).as("inferred alone").isEqualTo(1));
        List<TestRecord<byte[], DeadLetter>> dead = awaitDeadLetters(1);
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
            assertThat(r.value().getFrameSequence()).isEqualTo(1L);
            assertThat(r.value().getMessage()).contains("injected: this frame failed");
        });
        assertThat(meters.get("maskstream.processor.inference.batch.failures").counter().count()).isEqualTo(1);
    }

    @Test
    void aFrameFromACameraWhoseClockIsHoursAheadGetsTheProcessorsClockAndItsEventSaysSo() throws Exception {
        long ahead = System.currentTimeMillis() + java.util.concurrent.TimeUnit.HOURS.toMillis(3);
        Frame future = TestFrames.frame("cam-t", 0);
        future.setCaptureTime(java.time.Instant.ofEpochMilli(ahead));
        frames.pipeInput(new TestRecord<>("cam-t".getBytes(), frameWriter.serialize("drv-frames", future), null, ahead));
        Frame ok = TestFrames.frame("cam-t", 1);
        send(ok);
        driver.advanceWallClockTime(Duration.ofMillis(150));
        List<TestRecord<String, Classification>> out = awaitEventRecords(2);
        Classification clamped = out.get(0).value();
        assertThat(clamped.getOriginalCaptureTime()).isEqualTo(java.time.Instant.ofEpochMilli(ahead));
        assertThat(clamped.getCaptureTime().toEpochMilli()).as("the processor's clock").isLessThan(ahead - 3_000_000);
        assertThat(clamped.getLatencyMs()).as("latency from the processor's clock").isBetween(0L, 60_000L);
        assertThat(out.get(0).timestamp()).as("the event's record timestamp is not in the future").isLessThan(ahead - 3_000_000);
        Classification normal = out.get(1).value();
        assertThat(normal.getOriginalCaptureTime()).isNull();
        assertThat(normal.getCaptureTime()).isEqualTo(ok.getCaptureTime());
        assertThat(meters.get("maskstream.processor.timestamps.clamped").tag("field", "capture_time").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("maskstream.processor.timestamps.clamped").tag("field", "record_timestamp").counter().count())
                .isEqualTo(1);
    }
}
