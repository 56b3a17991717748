package io.maskstream.evaluation.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.DriftEvent;
import io.maskstream.events.DriftReference;
import io.maskstream.events.DriftScope;
import io.maskstream.events.DriftState;
import io.maskstream.events.DriftStatistic;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.events.TrainingProfile;
import io.maskstream.evaluation.EvaluationConfig;
import io.maskstream.model.LabelCodec;
import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift monitor in the TopologyTestDriver (Avro serdes against the shared test registry): cameras at 5 fps whose
 * answers are drawn, seeded, from a population. The release's profile is the masked population's answers.
 */
class DriftMonitorTopologyTest {

    static final int WINDOW = 300;
    static final long FRAME_MS = 200; // 5 fps

    /** Answers of a population: a class mix (18 weights) and a top-probability range. */
    record Population(double[] classWeights, double minProbability, double maxProbability) {
        int drawClass(Random r) {
            double total = 0;
            for (double w : classWeights) {
                total += w;
            }
            double u = r.nextDouble() * total;
            for (int c = 0; c < classWeights.length; c++) {
                u -= classWeights[c];
                if (u < 0) {
                    return c;
                }
            }
            return classWeights.length - 1;
        }

        float drawProbability(Random r) {
            return (float) (minProbability + r.nextDouble() * (maxProbability - minProbability));
        }
    }

    /** Most people masked (worn 0-5, some incorrect 6-11), a few without (12-17); the model mostly sure. */
    static final Population MASKED = new Population(new double[] {8, 6, 3, 8, 6, 3, 2, 1, 1, 2, 1, 1, 1, 0.5, 0.5, 1, 0.5, 0.5},
            0.55, 1.0);
    /** Everybody unmasked. */
    static final Population UNMASKED = new Population(new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 2, 1, 3, 2, 1},
            0.55, 1.0);

    /** The profile a trainer would store for MASKED: the answers on 2,000 holdout frames of it. */
    static TrainingProfile profileOf(Population p, int samples, long seed) {
        Random r = new Random(seed);
        int[] classes = new int[LabelCodec.CLASSES];
        int[] confidence = new int[TrainingProfiles.CONFIDENCE_BINS];
        for (int i = 0; i < samples; i++) {
            classes[p.drawClass(r)]++;
            confidence[TrainingProfiles.bin(p.drawProbability(r), TrainingProfiles.CONFIDENCE_BINS)]++;
        }
        return TrainingProfile.newBuilder().setSource("test holdout").setSamples(samples)
                .setClassCounts(TrainingProfiles.list(classes)).setConfidenceCounts(TrainingProfiles.list(confidence)).build();
    }

    static ModelRelease release(String version, TrainingProfile profile) {
        Instant t = Instant.ofEpochMilli(0);
        return ModelRelease.newBuilder().setVersion(version).setArchitecture("fastnet-multihead").setInputWidth(96)
                .setInputHeight(128).setStatus(ReleaseStatus.ACTIVE).setCreatedTime(t).setStatusTime(t).setSha256("00")
                .setArtifactUri("kafka://model-artifacts/" + version).setArtifactBytes(1).setTrainingData("test")
                .setTrainingProfile(profile).build();
    }

    static Classification answer(String camera, long seq, String version, int code, float probability) {
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq)
                .setCaptureTime(Instant.ofEpochMilli(seq * FRAME_MS)).setProcessedTime(Instant.ofEpochMilli(seq * FRAME_MS + 50))
                .setLatencyMs(50).setModelVersion(version).setMask(null).setGender(null).setAge(null)
                .setClassCode(code).setClassProbability(probability).setBatchSize(1).setSource(null).build();
    }

    @TempDir
    Path state;
    EvaluationConfig config;
    Topics topics;
    Map<String, Double> view;
    List<String> windows;
    TopologyTestDriver driver;
    TestInputTopic<String, Classification> live;
    TestInputTopic<String, ModelRelease> releases;
    TestOutputTopic<String, DriftEvent> drift;

    EvaluationConfig config(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(Map.of("schema.registry.url", SharedTestStack.get().registryUrl(),
                "topic.classifications", "dm-cls", "topic.model.releases", "dm-releases", "topic.drift", "dm-drift",
                EvaluationConfig.ONLINE_STATE_DIR, state.toString(),
                EvaluationConfig.DRIFT_WINDOW_FRAMES, String.valueOf(WINDOW),
                EvaluationConfig.DRIFT_OVERALL_WINDOW_FRAMES, "1000"));
        s.putAll(extra);
        return new EvaluationConfig(ConfigSource.of(s));
    }

    @BeforeEach
    void start() {
        config = config(Map.of());
        topics = new Topics(config);
        view = new ConcurrentHashMap<>();
        windows = new java.util.concurrent.CopyOnWriteArrayList<>();
        Properties props = DriftMonitor.streamsProperties(config);
        props.put("processing.guarantee", "at_least_once");
        driver = new TopologyTestDriver(DriftMonitor.build(config, topics, view, (scope, key) -> windows.add(scope + " " + key)),
                props);
        live = driver.createInputTopic("dm-cls", topics.classifications().keySerde().serializer(),
                topics.classifications().valueSerde().serializer());
        releases = driver.createInputTopic("dm-releases", topics.modelReleases().keySerde().serializer(),
                topics.modelReleases().valueSerde().serializer());
        drift = driver.createOutputTopic("dm-drift", topics.drift().keySerde().deserializer(),
                topics.drift().valueSerde().deserializer());
    }

    @org.junit.jupiter.api.AfterEach
    void stop() {
        driver.close();
    }

    /** Frames {@code from..to-1} of each camera, interleaved, at 5 fps; each camera shows its population. */
    void play(long from, long to, String version, Map<String, Population> cameras, Random r) {
        for (long seq = from; seq < to; seq++) {
            for (Map.Entry<String, Population> c : cameras.entrySet()) {
                Population p = c.getValue();
                live.pipeInput(c.getKey(), answer(c.getKey(), seq, version, p.drawClass(r), p.drawProbability(r)),
                        Instant.ofEpochMilli(seq * FRAME_MS));
            }
        }
    }

    @Test
    void aSteadyCameraRaisesNoneOverManyWindowsAndASwitchedOneRaisesOneEventWithinTheWindow() {
        releases.pipeInput("v1", release("v1", profileOf(MASKED, 2000, 7)), Instant.ofEpochMilli(0));
        Random r = new Random(11);
        long switchAt = 2 * WINDOW;
        Map<String, Population> before = new java.util.LinkedHashMap<>();
        before.put("steady", MASKED);
        before.put("door", MASKED);
        play(0, switchAt, "v1", before, r);
        assertThat(drift.isEmpty()).as("no drift while both cameras show the profile's population").isTrue();
        assertThat(view.get(DriftMonitor.viewKey(DriftScope.CAMERA, "door", DriftStatistic.CLASS_MIX))).isLessThan(0.25);

        Map<String, Population> after = new java.util.LinkedHashMap<>();
        after.put("steady", MASKED);
        after.put("door", UNMASKED);
        play(switchAt, 8 * WINDOW, "v1", after, r); // the steady camera: 8 windows

        List<KeyValue<String, DriftEvent>> events = drift.readKeyValuesToList();
        List<DriftEvent> door = events.stream().filter(e -> e.key.equals("door")).map(e -> e.value).toList();
        assertThat(events).as("the steady camera never drifts").noneMatch(e -> e.key.equals("steady"));
        assertThat(door).as("one RAISED class-mix event, not repeated while the camera stays switched")
                .filteredOn(e -> e.getStatistic() == DriftStatistic.CLASS_MIX).hasSize(1);
        DriftEvent raised = door.stream().filter(e -> e.getStatistic() == DriftStatistic.CLASS_MIX).findFirst().orElseThrow();
        assertThat(raised.getState()).isEqualTo(DriftState.RAISED);
        assertThat(raised.getScope()).isEqualTo(DriftScope.CAMERA);
        assertThat(raised.getCameraId()).isEqualTo("door");
        assertThat(raised.getModelVersion()).isEqualTo("v1");
        assertThat(raised.getReference()).isEqualTo(DriftReference.TRAINING_PROFILE);
        assertThat(raised.getPsi()).isGreaterThan(0.25);
        assertThat(raised.getWindowFrames()).isEqualTo(WINDOW);
        assertThat(raised.getWindowCounts()).hasSize(18);
        long detectedAfterMs = raised.getEventTime().toEpochMilli() - switchAt * FRAME_MS;
        assertThat(detectedAfterMs).as("within the window (%d frames at 5 fps)", WINDOW)
                .isPositive().isLessThan(WINDOW * FRAME_MS);
        assertThat(door).as("the confidence histogram did not move").noneMatch(e -> e.getStatistic() == DriftStatistic.CONFIDENCE);
        assertThat(events).as("the version's overall window (half the frames switched) drifts too, keyed *")
                .anyMatch(e -> e.key.equals(DriftMonitor.OVERALL_KEY) && e.value.getScope() == DriftScope.OVERALL
                        && e.value.getState() == DriftState.RAISED && e.value.getCameraId() == null);
        assertThat(windows).contains("CAMERA steady", "CAMERA door", "OVERALL v1");

        // the door camera's population comes back: once its window is mostly the profile's again, one CLEARED
        play(8 * WINDOW, 10 * WINDOW, "v1", before, r);
        List<DriftEvent> back = drift.readValuesToList().stream().filter(e -> "door".equals(e.getCameraId())).toList();
        assertThat(back).extracting(DriftEvent::getState, DriftEvent::getStatistic)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DriftState.CLEARED, DriftStatistic.CLASS_MIX));
        assertThat(back.get(0).getPsi()).isLessThan(0.1);
    }

    @Test
    void aReleaseWithoutProfileIsComparedWithItsFirstFullWindow() {
        releases.pipeInput("v0", release("v0", null), Instant.ofEpochMilli(0));
        Random r = new Random(5);
        play(0, 3 * WINDOW, "v0", Map.of("door", MASKED), r);
        assertThat(drift.isEmpty()).isTrue();
        play(3 * WINDOW, 4 * WINDOW, "v0", Map.of("door", UNMASKED), r);
        List<DriftEvent> events = drift.readValuesToList().stream().filter(e -> e.getScope() == DriftScope.CAMERA).toList();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getReference()).isEqualTo(DriftReference.FIRST_WINDOW);
        assertThat(events.get(0).getStatistic()).isEqualTo(DriftStatistic.CLASS_MIX);
    }

    @Test
    void aNewModelVersionStartsAnEmptyWindow() {
        releases.pipeInput("v1", release("v1", profileOf(MASKED, 2000, 7)), Instant.ofEpochMilli(0));
        releases.pipeInput("v2", release("v2", profileOf(MASKED, 2000, 8)), Instant.ofEpochMilli(0));
        Random r = new Random(3);
        play(0, WINDOW, "v1", Map.of("door", UNMASKED), r);
        assertThat(drift.readValuesToList()).filteredOn(e -> e.getScope() == DriftScope.CAMERA).hasSize(1);
        // swapped to v2 and at once the population is back: v2's window fills with the profile's answers, no alarm
        play(WINDOW, 3 * WINDOW, "v2", Map.of("door", MASKED), r);
        assertThat(drift.readValuesToList()).filteredOn(e -> e.getScope() == DriftScope.CAMERA).isEmpty();
        assertThat(view.get(DriftMonitor.viewKey(DriftScope.CAMERA, "door", DriftStatistic.CLASS_MIX))).isLessThan(0.1);
    }

    @Test
    void aClearThresholdAboveTheDriftThresholdIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> config(Map.of(EvaluationConfig.DRIFT_THRESHOLD, "0.2",
                EvaluationConfig.DRIFT_CLEAR_THRESHOLD, "0.3")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(EvaluationConfig.DRIFT_CLEAR_THRESHOLD);
    }

    @Test
    void theTrainersProfileCountsTheModelsAnswersAndTheirTopProbability() {
        List<io.maskstream.model.Prediction> answers = new ArrayList<>();
        float[] sure = new float[18];
        sure[4] = 0.97f;
        float[] unsure = new float[18];
        unsure[13] = 0.31f;
        answers.add(new io.maskstream.model.Prediction(new float[3], new float[2], new float[3], sure));
        answers.add(new io.maskstream.model.Prediction(new float[3], new float[2], new float[3], unsure));
        answers.add(null); // refused by the preprocessing
        TrainingProfile p = TrainingProfiles.of("holdout", answers);
        assertThat(p.getSamples()).isEqualTo(2);
        assertThat(p.getClassCounts().get(4)).isEqualTo(1);
        assertThat(p.getClassCounts().get(13)).isEqualTo(1);
        assertThat(p.getConfidenceCounts()).containsExactly(0, 0, 0, 1, 0, 0, 0, 0, 0, 1);
    }
}
