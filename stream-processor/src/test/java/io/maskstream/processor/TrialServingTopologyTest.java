package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow and canary serving in the topology, without a broker (TopologyTestDriver), with real models and images: a
 * shadow leaves the active events exactly as they are and gets one event per frame on the shadow topic; a shadow that
 * throws or hangs is skipped and counted while the active events flow; a canary serves exactly the cameras its hash
 * picks, and the active model's verdict on them goes to the shadow topic until the canary is removed.
 */
class TrialServingTopologyTest {

    static final Duration SHADOW_TIMEOUT = Duration.ofMillis(300);

    static Classifier active;
    static Classifier candidate;
    static String registryUrl;

    ModelHolder models;
    TrialModels trials;
    SimpleMeterRegistry meters;
    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> frames;
    TestOutputTopic<String, Classification> classifications;
    TestOutputTopic<String, Classification> shadowEvents;
    Serializer<Frame> frameWriter;
    final List<ExecutorService> executors = new ArrayList<>();
    final List<FaultyModel> faulty = new ArrayList<>();

    @BeforeAll
    static void loadModels() throws Exception {
        registryUrl = SharedTestStack.get().registryUrl();
        active = Classifier.load(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-active", 7),
                ComputeSettings.defaults());
        candidate = Classifier.load(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-candidate", 8),
                ComputeSettings.defaults());
    }

    @AfterAll
    static void closeModels() {
        active.close();
        candidate.close();
    }

    /** A driver whose batches hold 4 frames; {@code inference} says where passes (and shadow passes) run. */
    void start(Path stateDir, Inference inference) {
        Map<String, String> settings = new HashMap<>(Map.of("schema.registry.url", registryUrl,
                "topic.frames", "trial-frames", "topic.classifications", "trial-classifications",
                "topic.classifications.shadow", "trial-shadow",
                ProcessorConfig.MAX_BATCH_SIZE, "4", ProcessorConfig.MAX_BATCH_DELAY_MS, "100",
                ProcessorConfig.SHADOW_TIMEOUT_MS, String.valueOf(SHADOW_TIMEOUT.toMillis()),
                ProcessorConfig.STATE_DIR, stateDir.toString()));
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        Topics topics = new Topics(config);
        Properties props = FrameTopology.streamsProperties(config);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        models = new ModelHolder(v -> { });
        models.swap(FaultyModel.healthy(active));
        meters = new SimpleMeterRegistry();
        ProcessorMetrics metrics = new ProcessorMetrics(meters);
        trials = new TrialModels(models, metrics::trials);
        driver = new TopologyTestDriver(FrameTopology.build(config, topics, models, trials, metrics, inference), props);
        frames = driver.createInputTopic("trial-frames", new ByteArraySerializer(), new ByteArraySerializer());
        classifications = driver.createOutputTopic("trial-classifications", new StringDeserializer(),
                topics.classifications().valueSerde().deserializer());
        shadowEvents = driver.createOutputTopic("trial-shadow", new StringDeserializer(),
                topics.shadowClassifications().valueSerde().deserializer());
        frameWriter = topics.frames().valueSerde().serializer();
    }

    @AfterEach
    void tearDown() {
        faulty.forEach(FaultyModel::close); // lets hung passes go
        if (driver != null) {
            driver.close();
        }
        executors.forEach(ExecutorService::shutdownNow);
        if (trials != null) {
            trials.close();
        }
        if (models != null) {
            models.close();
        }
    }

    FaultyModel track(FaultyModel m) {
        faulty.add(m);
        return m;
    }

    /** Pipelined: passes on an inference thread; shadows on one thread of their own with a queue of one batch. */
    Inference pipelined() {
        ExecutorService batches = Executors.newSingleThreadExecutor();
        ExecutorService rescue = Executors.newSingleThreadExecutor();
        ExecutorService shadows = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1));
        executors.addAll(List.of(batches, rescue, shadows));
        return new Inference(batches, rescue, Duration.ofSeconds(20), 2, shadows);
    }

    void send(String camera, long seq) {
        // the image depends on the sequence only: the same frame content on any camera
        Frame f = TestFrames.frame(camera, seq, TestFrames.jpeg(96, 128, seq));
        frames.pipeInput(camera.getBytes(StandardCharsets.UTF_8), frameWriter.serialize("trial-frames", f));
    }

    <V> List<V> await(TestOutputTopic<String, V> topic, int n) throws InterruptedException {
        return await(topic, n, Duration.ofMillis(1));
    }

    /** The records so far plus those still coming, until {@code n}: the wall clock advances {@code step} per round. */
    <V> List<V> await(TestOutputTopic<String, V> topic, int n, Duration step) throws InterruptedException {
        List<V> out = new ArrayList<>(topic.readValuesToList());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
            driver.advanceWallClockTime(step);
            out.addAll(topic.readValuesToList());
        }
        return out;
    }

    double skipped(String version, String reason) {
        Counter c = meters.find("maskstream.processor.shadow.skipped").tag("version", version).tag("reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    static String id(Classification c) {
        return c.getCameraId() + "/" + c.getFrameSequence();
    }

    @Test
    void aShadowGetsOneEventPerFrameOnTheShadowTopicAndTheActiveEventsAreExactlyThoseOfARunWithoutIt(@TempDir Path dir)
            throws Exception {
        start(dir, Inference.onStreamThread());
        for (int i = 0; i < 8; i++) {
            send("cam-" + (i % 2), i);
        }
        List<Classification> without = await(classifications, 8);
        trials.addShadow(FaultyModel.healthy(candidate), null);
        for (int i = 0; i < 8; i++) {
            send("cam-" + (i % 2), i); // the same frames again, now with the shadow beside the active model
        }
        List<Classification> with = await(classifications, 8);
        List<Classification> shadow = await(shadowEvents, 8);

        assertThat(without).hasSize(8);
        assertThat(with).hasSize(8);
        for (int i = 0; i < 8; i++) {
            Classification a = without.get(i);
            Classification b = with.get(i);
            assertThat(id(b)).isEqualTo(id(a));
            assertThat(b.getModelVersion()).isEqualTo("v-active");
            assertThat(b.getClassCode()).isEqualTo(a.getClassCode());
            assertThat(b.getFaces()).as("the same verdict, probability for probability").isEqualTo(a.getFaces());
        }
        assertThat(shadow).hasSize(8).allSatisfy(c -> assertThat(c.getModelVersion()).isEqualTo("v-candidate"));
        assertThat(shadow).extracting(TrialServingTopologyTest::id).doesNotHaveDuplicates()
                .containsExactlyElementsOf(with.stream().map(TrialServingTopologyTest::id).toList());
        assertThat(shadow.get(0).getFaces()).as("the shadow's own verdict, not a copy").isNotEqualTo(with.get(0).getFaces());
        assertThat(meters.get("maskstream.processor.version.events").tag("version", "v-candidate").tag("topic", "shadow")
                .counter().count()).isEqualTo(8);
        assertThat(meters.get("maskstream.processor.version.events").tag("version", "v-active").tag("topic", "serving")
                .counter().count()).isEqualTo(16);
        assertThat(meters.get("maskstream.processor.model.trial").tag("version", "v-candidate").tag("role", "shadow")
                .gauge().value()).isEqualTo(1);
    }

    @Test
    void aShadowThatThrowsIsSkippedAndCountedWhileEveryActiveEventComes(@TempDir Path dir) throws Exception {
        start(dir, Inference.onStreamThread());
        trials.addShadow(FaultyModel.failingEveryPass(candidate), null);
        for (int i = 0; i < 8; i++) {
            send("cam-f", i);
        }
        List<Classification> out = await(classifications, 8);
        assertThat(out).extracting(Classification::getFrameSequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(out).allSatisfy(c -> assertThat(c.getModelVersion()).isEqualTo("v-active"));
        assertThat(shadowEvents.isEmpty()).isTrue();
        assertThat(skipped("v-candidate", TrialServing.FAILED)).isEqualTo(8);
        assertThat(meters.get("maskstream.processor.inference.batch.failures").counter().count())
                .as("the shadow's failures are not the active model's").isZero();
    }

    @Test
    void aHungShadowHoldsTheActiveEventsNoLongerThanTheShadowTimeoutAndIsThenSkippedWithoutWaiting(@TempDir Path dir)
            throws Exception {
        start(dir, pipelined());
        FaultyModel hung = track(FaultyModel.hangingOnBatchesOf(candidate, 1));
        trials.addShadow(hung, null);
        for (int i = 0; i < 4; i++) {
            send("cam-h", i);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (hung.hung.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(100); // the active pass completed the frames' outcomes right after it handed the shadow its work
        driver.advanceWallClockTime(Duration.ofMillis(25)); // a punctuation: the task sees them and waits for the shadow
        driver.advanceWallClockTime(SHADOW_TIMEOUT.minusMillis(10));
        assertThat(classifications.isEmpty()).as("held within the shadow timeout").isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(await(classifications, 4)).extracting(Classification::getFrameSequence).containsExactly(0L, 1L, 2L, 3L);
        assertThat(skipped("v-candidate", TrialServing.TIMEOUT)).isEqualTo(4);

        // the shadow thread is still hung: one batch waits in its queue (held, then timed out), the next finds it full
        for (int i = 4; i < 12; i++) {
            send("cam-h", i);
        }
        List<Classification> later = await(classifications, 8, Duration.ofMillis(25));
        assertThat(later).extracting(Classification::getFrameSequence)
                .containsExactlyElementsOf(IntStream.range(4, 12).mapToObj(i -> (long) i).toList());
        assertThat(later).allSatisfy(c -> assertThat(c.getModelVersion()).isEqualTo("v-active"));
        assertThat(skipped("v-candidate", TrialServing.TIMEOUT)).isEqualTo(8);
        assertThat(skipped("v-candidate", TrialServing.BUSY)).isEqualTo(4);
        assertThat(shadowEvents.isEmpty()).isTrue();
    }

    @Test
    void aCanaryServesExactlyTheCamerasItsHashPicksAndTheActiveVerdictOnThemGoesToTheShadowTopicUntilItIsRemoved(
            @TempDir Path dir) throws Exception {
        start(dir, Inference.onStreamThread());
        List<String> cameras = IntStream.range(0, 12).mapToObj(i -> "door-" + i).toList();
        // recomputed here from the documented rule: murmur2 of the id's UTF-8 bytes, positive, mod 10000, below 5000
        Set<String> picked = cameras.stream().filter(c -> Utils.toPositive(Utils.murmur2(c.getBytes(StandardCharsets.UTF_8)))
                % 10_000 < 5_000).collect(Collectors.toSet());
        assertThat(picked).as("the test needs cameras on both sides").isNotEmpty().hasSizeLessThan(cameras.size());
        trials.setCanary(FaultyModel.healthy(candidate), null, 0.5);
        for (int round = 0; round < 2; round++) {
            for (String cam : cameras) {
                send(cam, round);
            }
        }
        List<Classification> served = await(classifications, 24);
        assertThat(served).hasSize(24).allSatisfy(c -> assertThat(c.getModelVersion())
                .isEqualTo(picked.contains(c.getCameraId()) ? "v-candidate" : "v-active"));
        List<Classification> shadow = await(shadowEvents, 2 * picked.size());
        assertThat(shadow).hasSize(2 * picked.size()).allSatisfy(c -> {
            assertThat(c.getModelVersion()).isEqualTo("v-active");
            assertThat(picked).contains(c.getCameraId());
        });
        assertThat(shadow).extracting(TrialServingTopologyTest::id).doesNotHaveDuplicates();
        assertThat(meters.get("maskstream.processor.model.trial").tag("version", "v-candidate").tag("role", "canary")
                .gauge().value()).isEqualTo(0.5);

        assertThat(trials.removeCanary("v-candidate", "RETIRED")).isTrue();
        for (String cam : cameras) {
            send(cam, 2);
        }
        assertThat(await(classifications, 12)).hasSize(12)
                .allSatisfy(c -> assertThat(c.getModelVersion()).isEqualTo("v-active"));
        assertThat(shadowEvents.isEmpty()).as("no canary: nothing to compare").isTrue();
    }

    @Test
    void aCanaryAtAGreaterShareKeepsEveryCameraItServedAndACanaryThatFailsLeavesItsCamerasToTheActiveModel(
            @TempDir Path dir) throws Exception {
        List<String> cameras = IntStream.range(0, 400).mapToObj(i -> "cam-" + i).toList();
        Set<String> at10 = cameras.stream().filter(c -> TrialModels.bucket(c) < TrialModels.buckets(0.1))
                .collect(Collectors.toSet());
        Set<String> at30 = cameras.stream().filter(c -> TrialModels.bucket(c) < TrialModels.buckets(0.3))
                .collect(Collectors.toSet());
        assertThat(at30).containsAll(at10);
        assertThat(at10.size()).as("about a tenth of 400").isBetween(20, 60);
        assertThat(at30.size()).as("about three tenths of 400").isBetween(90, 150);

        start(dir, Inference.onStreamThread());
        trials.setCanary(FaultyModel.failingEveryPass(candidate), null, 1.0);
        for (int i = 0; i < 4; i++) {
            send("cam-c", i);
        }
        assertThat(await(classifications, 4)).hasSize(4)
                .allSatisfy(c -> assertThat(c.getModelVersion()).isEqualTo("v-active"));
        assertThat(shadowEvents.isEmpty()).isTrue();
        assertThat(meters.get("maskstream.processor.canary.fallbacks").tag("version", "v-candidate").counter().count())
                .isEqualTo(4);
    }
}
