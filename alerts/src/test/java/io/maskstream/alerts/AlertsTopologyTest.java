package io.maskstream.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Alert;
import io.maskstream.events.AlertKind;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.MaskState;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rule end to end through the real topology in {@code TopologyTestDriver}: no broker, no registry
 * (the topics carry plain Avro serdes, see {@link RawAvroSerde}). Defaults unless a test says otherwise:
 * threshold 0.7, 5 of 10 frames, quiet period 10 s, incorrect-mask alerts on.
 */
class AlertsTopologyTest {

    static final Instant WALL_CLOCK = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path stateDir;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    TopologyTestDriver driver;
    TestInputTopic<String, Classification> classifications;
    TestInputTopic<String, byte[]> rawClassifications;
    TestOutputTopic<String, Alert> alerts;
    TestOutputTopic<byte[], DeadLetter> deadLetters;

    void start(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(Map.of(AlertsConfig.STATE_DIR, stateDir.toString(),
                "topic.classifications", "cls", "topic.alerts", "alerts"));
        all.putAll(settings);
        AlertsConfig config = new AlertsConfig(ConfigSource.of(all));
        var topology = AlertsTopology.build(config,
                new Topic<>("cls", Serdes.String(), RawAvroSerde.of(Classification.class)),
                new Topic<>("alerts", Serdes.String(), RawAvroSerde.of(Alert.class)),
                new Topic<>("cls-dlq", Serdes.ByteArray(), RawAvroSerde.of(DeadLetter.class)), meters);
        Properties props = AlertsTopology.streamsProperties(config);
        driver = new TopologyTestDriver(topology, props, WALL_CLOCK);
        classifications = driver.createInputTopic("cls", Serdes.String().serializer(),
                RawAvroSerde.of(Classification.class).serializer());
        rawClassifications = driver.createInputTopic("cls", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        alerts = driver.createOutputTopic("alerts", Serdes.String().deserializer(), RawAvroSerde.of(Alert.class).deserializer());
        deadLetters = driver.createOutputTopic("cls-dlq", Serdes.ByteArray().deserializer(),
                RawAvroSerde.of(DeadLetter.class).deserializer());
    }

    void start() {
        start(Map.of());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** A camera at 30 fps: each call sends frames with the next sequence numbers and capture times. */
    final class Camera {
        final String id;
        long seq;
        long millis;
        long frameMillis = 33;
        String model = "v1";

        Camera(String id) {
            this.id = id;
        }

        Camera frames(int count, MaskState label, float p) {
            for (int i = 0; i < count; i++) {
                classifications.pipeInput(id, Classifications.of(id, seq++, millis, label, p, model));
                millis += frameMillis;
            }
            return this;
        }

        /** Frames whose uncertainty says the passes behind the mask label scatter by {@code maskSpread}. */
        Camera uncertain(int count, MaskState label, float p, float maskSpread) {
            for (int i = 0; i < count; i++) {
                Classification c = Classifications.of(id, seq++, millis, label, p, model);
                c.setUncertainty(io.maskstream.events.Uncertainty.newBuilder().setMethod("mc-dropout").setPasses(8)
                        .setMaskSpread(maskSpread).setGenderSpread(0.4f).setAgeSpread(0.4f).setClassSpread(0.2f)
                        .setAgreement(0.5f).build());
                classifications.pipeInput(id, c);
                millis += frameMillis;
            }
            return this;
        }

        Camera none(int count) {
            return frames(count, MaskState.NONE, 0.95f);
        }

        Camera worn(int count) {
            return frames(count, MaskState.WORN, 0.95f);
        }

        Camera away(Duration d) {
            millis += d.toMillis();
            return this;
        }
    }

    @Test
    void kMinusOneMatchingFramesInTheWindowRaiseNothing() {
        start();
        Camera cam = new Camera("cam-1");
        cam.none(4).worn(6);
        // Unmasked frames every third frame: any 10 consecutive frames hold at most 4 of them.
        for (int i = 0; i < 30; i++) {
            cam.none(1).worn(2);
        }
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void kMatchingFramesAmongTheLastNRaiseOneAlert() {
        start();
        Camera cam = new Camera("cam-1");
        cam.none(2).worn(3).none(2);
        assertThat(alerts.isEmpty()).isTrue();
        cam.worn(2).none(1); // frame 9: the 5th unmasked frame among the last 10
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised).hasSize(1);
        assertThat(raised.get(0).getFirstFrameSequence()).isEqualTo(0);
        assertThat(raised.get(0).getLastFrameSequence()).isEqualTo(9);
        assertThat(raised.get(0).getMatchingFrames()).isEqualTo(5);
        assertThat(raised.get(0).getWindowFrames()).isEqualTo(10);
    }

    /** Sends {@code count} detect-mode frames of camera {@code id} from sequence {@code from}, 33 ms apart. */
    void scenes(String id, long from, int count, Classifications.Person... people) {
        for (long seq = from; seq < from + count; seq++) {
            classifications.pipeInput(id, Classifications.scene(id, seq, seq * 33, people));
        }
    }

    @Test
    void oneUnmaskedPersonInFrontOfACameraForAHundredFramesIsOneAlertNamingTheirTrackAndBox() {
        start();
        scenes("cam-s", 0, 100, new Classifications.Person(7, 120, MaskState.NONE, 0.95f));
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised).hasSize(1);
        assertThat(raised.get(0).getTrackId()).isEqualTo(7L);
        assertThat(raised.get(0).getBox().getX()).isEqualTo(120f);
        assertThat(raised.get(0).getAlertId()).isEqualTo("cam-s/track-7/NO_MASK/0");
    }

    @Test
    void twoUnmaskedPeopleInOneSceneAreTwoAlertsAndAMaskedOneRaisesNone() {
        start();
        scenes("cam-s", 0, 100, new Classifications.Person(1, 300, MaskState.NONE, 0.95f),
                new Classifications.Person(2, 20, MaskState.NONE, 0.9f),
                new Classifications.Person(3, 160, MaskState.WORN, 0.95f));
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised).extracting(Alert::getTrackId).containsExactlyInAnyOrder(1L, 2L);
        assertThat(raised).allSatisfy(a -> assertThat(a.getKind()).isEqualTo(AlertKind.NO_MASK));
    }

    @Test
    void aPersonWhoLeavesEndsTheirEpisodeAndTheStateOfPeopleGoneIsDropped() {
        start(Map.of(AlertsConfig.QUIET_PERIOD_MS, 1000L));
        scenes("cam-s", 0, 20, new Classifications.Person(4, 50, MaskState.NONE, 0.95f));
        scenes("cam-s", 20, 40); // nobody for 40 frames (1.3 s): the quiet period passes
        scenes("cam-s", 60, 20, new Classifications.Person(4, 50, MaskState.NONE, 0.95f));
        assertThat(alerts.readValuesToList()).hasSize(2);
        scenes("cam-s", 80, 40, new Classifications.Person(5, 50, MaskState.WORN, 0.95f));
        var store = driver.<String, PeopleState>getKeyValueStore(AlertsTopology.PEOPLE_STORE);
        assertThat(store.get("cam-s")).as("nobody unmasked left to remember").isNull();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void threeHundredConsecutiveUnmaskedFramesAreOneAlert() {
        start();
        new Camera("cam-1").none(300);
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised).hasSize(1);
        assertThat(raised.get(0).getFirstFrameSequence()).isEqualTo(0);
        assertThat(raised.get(0).getLastFrameSequence()).isEqualTo(4);
        assertThat(meters.counter(AlertsMetrics.RAISED, "camera", "cam-1", "kind", "NO_MASK").count()).isEqualTo(1.0);
    }

    @Test
    void aPersonStayingForAMinuteIsOneAlertBecauseQuietCountsFromTheLastMatchingFrame() {
        start();
        Camera cam = new Camera("cam-1");
        cam.frameMillis = 200; // 300 frames = 60 s, far longer than the 10 s quiet period
        cam.none(300);
        assertThat(alerts.readValuesToList()).hasSize(1);
    }

    @Test
    void aSecondEpisodeAfterTheQuietPeriodRaisesASecondAlert() {
        start();
        Camera cam = new Camera("cam-1");
        cam.none(20).worn(10).away(Duration.ofSeconds(10)).worn(5).none(20);
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised).hasSize(2);
        assertThat(raised.get(0).getAlertId()).isEqualTo("cam-1/NO_MASK/0");
        assertThat(raised.get(1).getFirstFrameSequence()).isEqualTo(35);
        assertThat(raised.get(1).getAlertId()).isEqualTo("cam-1/NO_MASK/35");
    }

    @Test
    void aCameraThatStopsSendingIsReArmedByItsNextFramesCaptureTime() {
        start();
        Camera cam = new Camera("cam-1");
        cam.none(20).away(Duration.ofMinutes(5)).none(20);
        assertThat(alerts.readValuesToList()).extracting(Alert::getFirstFrameSequence).containsExactly(0L, 20L);
    }

    @Test
    void aGapShorterThanTheQuietPeriodKeepsOneEpisode() {
        start();
        Camera cam = new Camera("cam-1");
        cam.none(20).worn(100).away(Duration.ofSeconds(5)).none(20); // ~8.3 s without an unmasked frame
        assertThat(alerts.readValuesToList()).hasSize(1);
    }

    @Test
    void framesBelowTheThresholdDoNotCount() {
        start();
        Camera cam = new Camera("cam-1");
        cam.frames(50, MaskState.NONE, 0.69f);
        assertThat(alerts.isEmpty()).isTrue();
        cam.frames(4, MaskState.NONE, 0.7f).frames(1, MaskState.NONE, 0.69f);
        assertThat(alerts.isEmpty()).isTrue();
        cam.frames(1, MaskState.NONE, 0.7f); // the threshold itself counts
        assertThat(alerts.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getFirstFrameSequence()).isEqualTo(50));
    }

    @Test
    void framesWhoseMaskSpreadIsAboveTheLimitDoNotCountAndAreCounted() {
        start(Map.of(AlertsConfig.MAX_SPREAD, "0.1"));
        Camera cam = new Camera("cam-1");
        cam.uncertain(30, MaskState.NONE, 0.95f, 0.3f);
        assertThat(alerts.isEmpty()).as("sure of its label, unsure across passes").isTrue();
        assertThat(meters.counter(AlertsMetrics.UNCERTAIN_FRAMES, "camera", "cam-1", "kind", "NO_MASK").count())
                .isEqualTo(30.0);
        cam.uncertain(3, MaskState.NONE, 0.95f, 0.05f).uncertain(1, MaskState.NONE, 0.95f, 0.3f)
                .uncertain(1, MaskState.NONE, 0.95f, 0.1f); // the limit itself counts
        assertThat(alerts.isEmpty()).isTrue();
        cam.uncertain(1, MaskState.NONE, 0.95f, 0.0f);
        assertThat(alerts.readValuesToList()).singleElement()
                .satisfies(a -> assertThat(a.getMatchingFrames()).isEqualTo(5));
        assertThat(meters.counter(AlertsMetrics.UNCERTAIN_FRAMES, "camera", "cam-1", "kind", "NO_MASK").count())
                .isEqualTo(31.0);
        new Camera("cam-2").none(5); // one forward pass, no uncertainty: judged by its probability
        assertThat(alerts.readValuesToList()).hasSize(1);
        new Camera("cam-3").uncertain(10, MaskState.WORN, 0.95f, 0.4f); // a masked frame is no near-alert
        assertThat(meters.find(AlertsMetrics.UNCERTAIN_FRAMES).tag("camera", "cam-3").counter()).isNull();
    }

    @Test
    void withoutASpreadLimitUncertainFramesCountAsBefore() {
        start();
        new Camera("cam-1").uncertain(5, MaskState.NONE, 0.95f, 0.45f);
        assertThat(alerts.readValuesToList()).hasSize(1);
    }

    @Test
    void theThresholdIsConfigurable() {
        start(Map.of(AlertsConfig.THRESHOLD, "0.9"));
        Camera cam = new Camera("cam-1");
        cam.frames(20, MaskState.NONE, 0.85f);
        assertThat(alerts.isEmpty()).isTrue();
        cam.frames(5, MaskState.NONE, 0.9f);
        assertThat(alerts.readValuesToList()).hasSize(1);
    }

    @Test
    void kAndNAreConfigurable() {
        start(Map.of(AlertsConfig.K, "2", AlertsConfig.N, "3"));
        Camera cam = new Camera("cam-1");
        cam.none(1).worn(2).none(1).worn(2).none(1);
        assertThat(alerts.isEmpty()).isTrue();
        cam.none(1);
        assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
            assertThat(a.getMatchingFrames()).isEqualTo(2);
            assertThat(a.getWindowFrames()).isEqualTo(3);
        });
    }

    @Test
    void incorrectlyWornMasksRaiseTheirOwnKindWhenEnabled() {
        start();
        Camera cam = new Camera("cam-1");
        cam.frames(20, MaskState.INCORRECT, 0.9f).none(20);
        List<Alert> raised = alerts.readValuesToList();
        assertThat(raised).extracting(Alert::getKind).containsExactly(AlertKind.INCORRECT_MASK, AlertKind.NO_MASK);
        assertThat(raised.get(0).getAlertId()).isEqualTo("cam-1/INCORRECT_MASK/0");
        assertThat(raised.get(1).getFirstFrameSequence()).isEqualTo(20);
    }

    @Test
    void incorrectlyWornMasksAreIgnoredWhenDisabled() {
        start(Map.of(AlertsConfig.INCORRECT_ENABLED, "false"));
        Camera cam = new Camera("cam-1");
        cam.frames(100, MaskState.INCORRECT, 0.99f);
        assertThat(alerts.isEmpty()).isTrue();
        cam.none(5);
        assertThat(alerts.readValuesToList()).extracting(Alert::getKind).containsExactly(AlertKind.NO_MASK);
    }

    @Test
    void incorrectAndMissingMasksDoNotAddUpToAnAlert() {
        start();
        Camera cam = new Camera("cam-1");
        for (int i = 0; i < 10; i++) {
            cam.frames(1, MaskState.INCORRECT, 0.9f).none(1).worn(3); // 2 + 2 of any 10 frames
        }
        assertThat(alerts.isEmpty()).isTrue();
    }

    @Test
    void camerasAreDebouncedIndependently() {
        start();
        Camera one = new Camera("cam-1");
        Camera two = new Camera("cam-2");
        for (int i = 0; i < 4; i++) {
            one.none(1);
            two.none(1);
        }
        assertThat(alerts.isEmpty()).isTrue(); // 8 unmasked frames, but only 4 per camera
        one.none(1);
        assertThat(alerts.readRecordsToList()).extracting(TestRecord::key).containsExactly("cam-1");
        one.none(50); // cam-1's open episode does not hold back cam-2
        two.none(1);
        assertThat(alerts.readRecordsToList()).extracting(TestRecord::key).containsExactly("cam-2");
    }

    @Test
    void theAlertCarriesTheEpisodesFactsAndNoImage() {
        start();
        Camera cam = new Camera("cam-7");
        cam.frames(1, MaskState.NONE, 0.8f).worn(1).frames(1, MaskState.NONE, 0.99f).frames(2, MaskState.NONE, 0.75f);
        cam.model = "v2";
        cam.frames(1, MaskState.NONE, 0.9f);
        TestRecord<String, Alert> record = alerts.readRecord();
        Alert a = record.value();
        assertThat(record.key()).isEqualTo("cam-7");
        assertThat(a.getAlertId()).isEqualTo("cam-7/NO_MASK/0");
        assertThat(a.getCameraId()).isEqualTo("cam-7");
        assertThat(a.getKind()).isEqualTo(AlertKind.NO_MASK);
        assertThat(a.getFirstFrameSequence()).isEqualTo(0);
        assertThat(a.getLastFrameSequence()).isEqualTo(5);
        assertThat(a.getFirstCaptureTime()).isEqualTo(Classifications.T0);
        assertThat(a.getLastCaptureTime()).isEqualTo(Classifications.T0.plusMillis(5 * 33));
        assertThat(a.getRaisedTime()).isEqualTo(WALL_CLOCK);
        assertThat(record.timestamp()).isEqualTo(WALL_CLOCK.toEpochMilli());
        assertThat(a.getMatchingFrames()).isEqualTo(5);
        assertThat(a.getWindowFrames()).isEqualTo(10);
        assertThat(a.getPeakConfidence()).isEqualTo(0.99f);
        assertThat(a.getModelVersion()).isEqualTo("v2");
        assertThat(Alert.getClassSchema().getFields()).noneMatch(f -> f.schema().getType() == org.apache.avro.Schema.Type.BYTES);
    }

    @Test
    void theQuietPeriodIsMeasuredInCaptureTimeNotWallClock() {
        start();
        Camera cam = new Camera("cam-1");
        cam.none(10);
        driver.advanceWallClockTime(Duration.ofHours(1)); // the wall clock runs; the camera's frames do not
        cam.none(10);
        assertThat(alerts.readValuesToList()).hasSize(1);
    }

    @Test
    void theEpisodeStoreIsPersistentAndChangelogged() {
        start();
        new Camera("cam-1").none(3);
        var store = driver.<String, CameraState>getKeyValueStore(AlertsTopology.STORE);
        assertThat(store.persistent()).isTrue();
        assertThat(store.get("cam-1").window()).hasSize(3);
        assertThat(driver.producedTopicNames()).contains("maskstream-alerts-" + AlertsTopology.STORE + "-changelog");
    }

    @Test
    void idleCamerasLeaveNoState() {
        start();
        Camera cam = new Camera("cam-1");
        cam.worn(100);
        var store = driver.<String, CameraState>getKeyValueStore(AlertsTopology.STORE);
        assertThat(store.get("cam-1")).isNull();
        cam.none(2).worn(10);
        assertThat(store.get("cam-1")).isNull(); // its unmasked frames slid out of the window
    }

    @Test
    void unusableRecordsGoToTheDeadLetterTopicAndTheStreamGoesOn() {
        start();
        rawClassifications.pipeInput("cam-1", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
        classifications.pipeInput("cam-9", Classifications.of("cam-1", 0, 0, MaskState.NONE, 0.9f, "v1"));
        classifications.pipeInput("cam-1", Classifications.of("cam-1", 0, 0, MaskState.NONE, Float.NaN, "v1"));
        rawClassifications.pipeInput("cam-1", (byte[]) null);
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.MALFORMED_AVRO,
                DeadLetterReason.INVALID_FIELD, DeadLetterReason.INVALID_FIELD, DeadLetterReason.NULL_VALUE);
        assertThat(letters).allSatisfy(l -> {
            assertThat(l.getService()).isEqualTo("alerts");
            assertThat(l.getOriginalTopic()).isEqualTo("cls");
        });
        assertThat(letters.get(1).getMessage()).contains("cam-9");
        new Camera("cam-1").none(5);
        assertThat(alerts.readValuesToList()).hasSize(1);
        assertThat(meters.counter(AlertsMetrics.DEAD_LETTERS, "reason", "INVALID_FIELD").count()).isEqualTo(2.0);
    }

    @Test
    void streamsPropertiesKeepTheUsersSettingsAndDefaultToExactlyOnce() {
        AlertsConfig config = new AlertsConfig(ConfigSource.of(Map.of("kafka.streams.max.poll.records", "77",
                "kafka.security.protocol", "SSL")));
        Properties props = AlertsTopology.streamsProperties(config);
        assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("maskstream-alerts");
        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(props.get("max.poll.records")).isEqualTo("77");
        assertThat(props.get("security.protocol")).isEqualTo("SSL");
        AlertsConfig atLeastOnce = new AlertsConfig(ConfigSource.of(Map.of(AlertsConfig.PROCESSING_GUARANTEE,
                "at_least_once", AlertsConfig.APPLICATION_ID, "other")));
        assertThat(AlertsTopology.streamsProperties(atLeastOnce)).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                "at_least_once").containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "other");
    }
}
