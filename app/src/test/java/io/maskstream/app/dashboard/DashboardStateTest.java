package io.maskstream.app.dashboard;

import static io.maskstream.app.dashboard.DashboardEvents.alert;
import static io.maskstream.app.dashboard.DashboardEvents.classification;
import static io.maskstream.app.dashboard.DashboardEvents.face;
import static io.maskstream.app.dashboard.DashboardEvents.release;
import static io.maskstream.app.dashboard.DashboardEvents.scene;
import static io.maskstream.app.dashboard.DashboardEvents.wholeFrame;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskstream.app.dashboard.Snapshot.CameraView;
import io.maskstream.app.dashboard.Snapshot.FaceView;
import io.maskstream.events.AgeBand;
import io.maskstream.events.Classification;
import io.maskstream.events.AlertKind;
import io.maskstream.events.Face;
import io.maskstream.events.Frame;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.events.ReleaseStatus;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class DashboardStateTest {

    static final long T0 = Instant.parse("2025-03-01T10:00:00Z").toEpochMilli();

    @Test
    void keepsPerCameraTheLatestVerdictAndRunningCountsByMaskStateAndClass() {
        DashboardState state = new DashboardState(false, T0);
        state.classification(classification("cam-a", 1, T0 + 10, 40, MaskState.WORN), T0 + 10);
        state.classification(classification("cam-a", 2, T0 + 20, 40, MaskState.WORN), T0 + 20);
        state.classification(classification("cam-a", 3, Instant.ofEpochMilli(T0 + 30), 55, MaskState.NONE, 0.97f,
                Gender.MALE, 0.88f, AgeBand.FROM_60, 0.66f, "v2"), T0 + 30);
        state.classification(classification("cam-b", 1, T0 + 40, 40, MaskState.INCORRECT), T0 + 40);

        Snapshot s = state.snapshot(T0 + 50, List.of());
        assertThat(s.cameras()).extracting(CameraView::id).containsExactly("cam-a", "cam-b");
        CameraView a = s.cameras().get(0);
        assertThat(a.events()).isEqualTo(3);
        assertThat(a.byMask()).containsEntry("WORN", 2L).containsEntry("INCORRECT", 0L).containsEntry("NONE", 1L);
        assertThat(a.mask().label()).isEqualTo("NONE");
        assertThat(a.mask().probability()).isEqualTo(0.97, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(a.gender().label()).isEqualTo("MALE");
        assertThat(a.age().label()).isEqualTo("FROM_60");
        assertThat(a.classCode()).isEqualTo(2 * 6 + 0 * 3 + 2);
        assertThat(a.byClass()[14]).isEqualTo(1);
        assertThat(a.byClass()[0 * 6 + 1 * 3 + 1]).isEqualTo(2); // WORN, FEMALE, 30-59
        assertThat(a.modelVersion()).isEqualTo("v2");
        assertThat(a.latencyMs()).isEqualTo(55);
        assertThat(a.stale()).isFalse();
        assertThat(s.totals().events()).isEqualTo(4);
        assertThat(s.totals().byMask()).containsEntry("WORN", 2L).containsEntry("INCORRECT", 1L).containsEntry("NONE", 1L);
        assertThat(s.totals().cameras()).isEqualTo(2);
        assertThat(s.models().serving()).extracting(Snapshot.ServingView::version).containsExactly("v1", "v2");
    }

    @Test
    void aCameraSilentForTenSecondsIsStaleAndNoLongerCountsAsServing() {
        DashboardState state = new DashboardState(false, T0);
        state.classification(classification("cam-a", 1, T0, 40, MaskState.WORN), T0);
        Snapshot later = state.snapshot(T0 + DashboardState.STALE_MS + 1, List.of());
        assertThat(later.cameras().get(0).stale()).isTrue();
        assertThat(later.models().serving()).isEmpty();
    }

    @Test
    void throughputIsEventsPerSecondBetweenTicksAndLatencyPercentilesCoverTheTrailingTenSeconds() {
        DashboardState state = new DashboardState(false, T0);
        for (int i = 1; i <= 100; i++) { // 100 events in the first second, latencies 1..100 ms
            state.classification(classification("cam-a", i, T0 + i * 10, i, MaskState.WORN), T0 + i * 10 - 5);
        }
        state.tick(T0 + 1000);
        for (int i = 1; i <= 20; i++) { // 20 in the next two seconds, all 500 ms
            state.classification(classification("cam-b", i, T0 + 1000 + i * 100, 500, MaskState.NONE), T0 + 1000 + i * 100);
        }
        state.tick(T0 + 3000);

        Snapshot s = state.snapshot(T0 + 3000, List.of());
        assertThat(s.series()).hasSize(2);
        Snapshot.SeriesPoint first = s.series().get(0);
        assertThat(first.eventsPerSecond()).isEqualTo(100.0);
        assertThat(first.p50()).isEqualTo(50.0);
        assertThat(first.p99()).isEqualTo(99.0);
        Snapshot.SeriesPoint second = s.series().get(1);
        assertThat(second.eventsPerSecond()).isEqualTo(10.0);
        assertThat(second.p99()).isEqualTo(500.0); // 120 samples: the 119th is one of the 500 ms ones
        assertThat(s.totals().eventsPerSecond()).isEqualTo(10.0);
        assertThat(s.cameras()).filteredOn(c -> c.id().equals("cam-b")).first()
                .extracting(CameraView::eventsPerSecond).isEqualTo(10.0);

        // ten seconds later the first second's samples have left the window
        Snapshot late = state.snapshot(T0 + 1000 + DashboardState.LATENCY_WINDOW_MS + 50, List.of());
        assertThat(late.totals().latencySamples()).isEqualTo(20 - 0);
        assertThat(late.totals().latencyP50Ms()).isEqualTo(500.0);
        state.tick(T0 + 30_000);
        Snapshot idle = state.snapshot(T0 + 30_000, List.of());
        assertThat(idle.totals().latencyP50Ms()).isNull();
        assertThat(idle.series().get(2).p99()).isNull();
        assertThat(idle.totals().eventsPerSecond()).isZero();
    }

    @Test
    void seriesKeepsTheLastTwoMinutes() {
        DashboardState state = new DashboardState(false, T0);
        for (int i = 1; i <= DashboardState.SERIES_POINTS + 30; i++) {
            state.tick(T0 + i * 1000L);
        }
        Snapshot s = state.snapshot(T0 + 200_000, List.of());
        assertThat(s.series()).hasSize(DashboardState.SERIES_POINTS);
        assertThat(s.series().get(s.series().size() - 1).t()).isEqualTo(T0 + (DashboardState.SERIES_POINTS + 30) * 1000L);
    }

    @Test
    void percentileIsNearestRank() {
        assertThat(DashboardState.percentile(new long[] {}, 0.5)).isNull();
        assertThat(DashboardState.percentile(new long[] {7}, 0.99)).isEqualTo(7.0);
        assertThat(DashboardState.percentile(new long[] {1, 2, 3, 4}, 0.5)).isEqualTo(2.0);
        assertThat(DashboardState.percentile(new long[] {1, 2, 3, 4}, 0.99)).isEqualTo(4.0);
    }

    @Test
    void alertFeedHoldsTheNewestFiftyOnceEachNewestFirst() {
        DashboardState state = new DashboardState(false, T0);
        Instant t = Instant.ofEpochMilli(T0);
        for (int i = 0; i < 60; i++) {
            state.alert(alert("cam-" + (i % 3), i % 2 == 0 ? AlertKind.NO_MASK : AlertKind.INCORRECT_MASK, i * 100L,
                    t.plusSeconds(i), "v1"), T0 + i * 1000L);
        }
        state.alert(alert("cam-2", AlertKind.INCORRECT_MASK, 5900, t.plusSeconds(59), "v1"), T0 + 61_000); // read again
        Snapshot s = state.snapshot(T0 + 62_000, List.of());
        assertThat(s.alerts()).hasSize(DashboardState.ALERT_FEED);
        assertThat(s.alerts().get(0).alertId()).isEqualTo("cam-2/INCORRECT_MASK/5900");
        assertThat(s.alerts().get(49).alertId()).isEqualTo("cam-1/NO_MASK/1000");
        assertThat(s.totals().alerts()).isEqualTo(60);
        assertThat(s.totals().alertsByKind()).containsEntry("NO_MASK", 30L).containsEntry("INCORRECT_MASK", 30L);
    }

    @Test
    void lastAlertIsShownOnItsCamerasCard() {
        DashboardState state = new DashboardState(false, T0);
        state.classification(classification("cam-a", 1, T0, 40, MaskState.NONE), T0);
        state.alert(alert("cam-a", AlertKind.NO_MASK, 1, Instant.ofEpochMilli(T0 + 100), "v1"), T0 + 200);
        CameraView a = state.snapshot(T0 + 300, List.of()).cameras().get(0);
        assertThat(a.lastAlert()).isNotNull();
        assertThat(a.lastAlert().kind()).isEqualTo("NO_MASK");
        assertThat(a.lastAlert().receivedAt()).isEqualTo(T0 + 200);
    }

    @Test
    void modelPanelSeparatesActiveCandidatesAndRetiredAndHonoursTombstones() {
        DashboardState state = new DashboardState(false, T0);
        Instant t = Instant.ofEpochMilli(T0);
        state.release("v1", release("v1", ReleaseStatus.CANDIDATE, t, 0.61));
        state.release("v1", release("v1", ReleaseStatus.ACTIVE, t, 0.61)); // the compacted topic's newer state wins
        state.release("v2", release("v2", ReleaseStatus.CANDIDATE, t.plusSeconds(60), 0.72));
        state.release("v3", release("v3", ReleaseStatus.CANDIDATE, t.plusSeconds(120), null));
        state.release("v0", release("v0", ReleaseStatus.RETIRED, t.minusSeconds(600), 0.40));
        state.release("v9", release("v9", ReleaseStatus.CANDIDATE, t, 0.1));
        state.release("v9", null);

        Snapshot.Models m = state.snapshot(T0, List.of()).models();
        assertThat(m.active()).extracting(Snapshot.ReleaseView::version).containsExactly("v1");
        assertThat(m.active().get(0).metrics().macroF1()).isEqualTo(0.61);
        assertThat(m.candidates()).extracting(Snapshot.ReleaseView::version).containsExactly("v3", "v2");
        assertThat(m.candidates().get(0).metrics()).isNull();
        assertThat(m.candidates().get(1).metrics().samples()).isEqualTo(3780);
        assertThat(m.retired()).extracting(Snapshot.ReleaseView::version).containsExactly("v0");
    }

    @Test
    void liveTableListsActiveCanaryAndShadowReleasesWithTheOnlineEvaluationsFiguresAndDashesUntilMeasured() {
        DashboardState state = new DashboardState(false, T0);
        Instant t = Instant.ofEpochMilli(T0);
        state.release("v1", release("v1", ReleaseStatus.ACTIVE, t, 0.61));
        state.release("s1", release("s1", ReleaseStatus.SHADOW, t, 0.65));
        state.release("c1", io.maskstream.events.ModelRelease.newBuilder(release("c1", ReleaseStatus.CANARY, t, 0.6))
                .setCanaryShare(0.25).build());
        state.release("v0", release("v0", ReleaseStatus.RETIRED, t, 0.4));
        state.onlineFigures(java.util.Map.of("v1", new OnlineFigures.Figures(0.7, 120, null, 0),
                "c1", new OnlineFigures.Figures(0.55, 30, 0.8123456, 300), "v0", new OnlineFigures.Figures(0.1, 5, 0.1, 5)));

        List<Snapshot.LiveVersionView> live = state.snapshot(T0, List.of()).models().live();
        assertThat(live).extracting(Snapshot.LiveVersionView::version).containsExactly("v1", "c1", "s1");
        assertThat(live.get(0).macroF1()).isEqualTo(0.7);
        assertThat(live.get(1).canaryShare()).isEqualTo(0.25);
        assertThat(live.get(1).agreement()).isEqualTo(0.8123);
        assertThat(live.get(1).agreementFrames()).isEqualTo(300);
        assertThat(live.get(2).macroF1()).as("a shadow not measured yet").isNull();
        assertThat(live.get(2).agreement()).isNull();
    }

    @Test
    void onlineFiguresAreParsedFromThePrometheusTextOfTheOnlineEvaluationsGauges() {
        var registry = io.maskstream.runtime.metrics.MetricsServer.newRegistry();
        DashboardIntegrationTest.onlineGauges(registry, "v1", 0.7, 120, Double.NaN, 0);
        DashboardIntegrationTest.onlineGauges(registry, "c \"1\"", 0.55, 30, 0.8, 300);
        DashboardIntegrationTest.onlineGauges(registry, "s1", 0.0, 0, 0.9, 10);
        io.micrometer.core.instrument.Gauge.builder("maskstream.evaluation.online.accuracy", () -> 0.3)
                .tag("version", "v1").register(registry);

        java.util.Map<String, OnlineFigures.Figures> f = OnlineFigures.parse(registry.scrape());
        assertThat(f).containsOnlyKeys("v1", "c \"1\"", "s1");
        assertThat(f.get("v1")).isEqualTo(new OnlineFigures.Figures(0.7, 120, null, 0));
        assertThat(f.get("c \"1\"")).isEqualTo(new OnlineFigures.Figures(0.55, 30, 0.8, 300));
        assertThat(f.get("s1")).as("no F1 before a labeled frame").isEqualTo(new OnlineFigures.Figures(null, 0, 0.9, 10));
    }

    @Test
    void driftPanelShowsEachWindowsLatestStateDriftingFirstAndIgnoresAnOlderEventReadAgain() {
        DashboardState state = new DashboardState(false, T0);
        Instant t = Instant.ofEpochMilli(T0);
        var mix = io.maskstream.events.DriftStatistic.CLASS_MIX;
        var raised = io.maskstream.events.DriftState.RAISED;
        var cleared = io.maskstream.events.DriftState.CLEARED;
        state.drift(DashboardEvents.drift("cam-a", "v1", mix, raised, 0.41, t), T0);
        state.drift(DashboardEvents.drift("cam-b", "v1", mix, raised, 0.30, t.plusSeconds(5)), T0);
        state.drift(DashboardEvents.drift(null, "v1", mix, raised, 0.27, t.plusSeconds(6)), T0);
        state.drift(DashboardEvents.drift("cam-b", "v1", mix, cleared, 0.08, t.plusSeconds(60)), T0);
        state.drift(DashboardEvents.drift("cam-b", "v1", mix, raised, 0.30, t.plusSeconds(5)), T0); // read again

        List<Snapshot.DriftView> drift = state.snapshot(T0, List.of()).drift();
        assertThat(drift).extracting(d -> d.cameraId() + " " + d.state())
                .containsExactly("null RAISED", "cam-a RAISED", "cam-b CLEARED");
        assertThat(drift.get(0).scope()).isEqualTo("OVERALL");
        assertThat(drift.get(1).psi()).isEqualTo(0.41);
        assertThat(drift.get(1).windowFrames()).isEqualTo(300);
    }

    @Test
    void framesAreKeptOnlyWhenSwitchedOn() {
        Frame frame = Frame.newBuilder().setCameraId("cam-a").setSequence(7).setCaptureTime(Instant.ofEpochMilli(T0))
                .setImage(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2})).setContentType("image/jpeg")
                .setWidth(null).setHeight(null).setSource(null).build();
        DashboardState off = new DashboardState(false, T0);
        off.frame(frame, T0);
        assertThat(off.latestFrame("cam-a")).isEmpty();
        assertThat(off.snapshot(T0, List.of()).cameras()).isEmpty();

        DashboardState on = new DashboardState(true, T0);
        on.frame(frame, T0);
        assertThat(on.latestFrame("cam-a")).hasValueSatisfying(f -> {
            assertThat(f.image()).containsExactly(0xFF, 0xD8, 1, 2);
            assertThat(f.sequence()).isEqualTo(7);
        });
        CameraView a = on.snapshot(T0, List.of()).cameras().get(0);
        assertThat(a.hasFrame()).isTrue();
        assertThat(a.frameShown()).isEqualTo(7);
    }

    @Test
    void cameraCountIsBoundedByForgettingTheLongestSilent() {
        DashboardState state = new DashboardState(false, T0);
        for (int i = 0; i <= DashboardState.MAX_CAMERAS; i++) {
            state.classification(classification("cam-" + i, 1, T0 + i, 40, MaskState.WORN), T0 + i);
        }
        Snapshot s = state.snapshot(T0 + 1000, List.of());
        assertThat(s.cameras()).hasSize(DashboardState.MAX_CAMERAS);
        assertThat(s.cameras()).extracting(CameraView::id).doesNotContain("cam-0").contains("cam-" + DashboardState.MAX_CAMERAS);
    }

    @Test
    void snapshotJsonCarriesWhatThePageReadsAndNoImageBytes() throws Exception {
        DashboardState state = new DashboardState(true, T0);
        state.classification(classification("cam-a", 1, T0, 40, MaskState.WORN), T0);
        state.frame(Frame.newBuilder().setCameraId("cam-a").setSequence(1).setCaptureTime(Instant.ofEpochMilli(T0))
                .setImage(ByteBuffer.wrap("JPEGBYTES".getBytes())).setContentType("image/jpeg").setWidth(null)
                .setHeight(null).setSource(null).build(), T0);
        state.tick(T0 + 1000);
        state.topic("classifications", "classifications", "following");
        String json = new ObjectMapper().writeValueAsString(state.snapshot(T0 + 1000, List.of(
                new Snapshot.ReportLink("eval/report.html", "/reports/eval/report.html", 1234, T0))));
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(n.at("/totals/events").asLong()).isEqualTo(1);
        assertThat(n.at("/cameras/0/mask/label").asText()).isEqualTo("WORN");
        assertThat(n.at("/cameras/0/byClass").size()).isEqualTo(18);
        assertThat(n.at("/series/0/eventsPerSecond").asDouble()).isEqualTo(1.0);
        assertThat(n.at("/reports/0/href").asText()).isEqualTo("/reports/eval/report.html");
        assertThat(n.at("/topics/0/state").asText()).isEqualTo("following");
        assertThat(json).doesNotContain("JPEGBYTES").doesNotContain(java.util.Base64.getEncoder().encodeToString("JPEGBYTES".getBytes()));
    }

    @Test
    void aFrameShowingNobodyIsAnEventButCountsNoFaceAndLeavesNoVerdict() throws Exception {
        DashboardState state = new DashboardState(false, T0);
        state.classification(scene("cam-a", 1, T0, 40, face(100, 50, 80, 90, MaskState.NONE, 0.9f, 1L)), T0);
        state.classification(scene("cam-a", 2, T0 + 100, 45), T0 + 100);

        Snapshot s = state.snapshot(T0 + 200, List.of());
        CameraView a = s.cameras().get(0);
        assertThat(a.events()).isEqualTo(2);
        assertThat(a.people()).isZero();
        assertThat(a.faces()).isEmpty();
        assertThat(a.mask()).isNull();
        assertThat(a.gender()).isNull();
        assertThat(a.age()).isNull();
        assertThat(a.classCode()).isEqualTo(-1);
        assertThat(a.frameSequence()).isEqualTo(2);
        assertThat(a.latencyMs()).isEqualTo(45);
        assertThat(a.byMask()).containsEntry("NONE", 1L).containsEntry("WORN", 0L).containsEntry("INCORRECT", 0L);
        assertThat(a.tracksSeen()).isEqualTo(1);
        assertThat(s.totals().events()).isEqualTo(2);
        assertThat(s.models().serving()).extracting(Snapshot.ServingView::version).containsExactly("v1");
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(s));
        assertThat(json.at("/cameras/0/mask").isNull()).isTrue();
        assertThat(json.at("/cameras/0/faces").size()).isZero();
    }

    @Test
    void aSceneShowsEveryFaceOfTheLatestFrameLargestFirstCountsEachFaceAndEachDistinctTrack() {
        DashboardState state = new DashboardState(false, T0);
        state.classification(scene("cam-hall", 1, T0, 40,
                face(400, 100, 200, 240, MaskState.WORN, 0.95f, 1L),
                face(900, 300, 120, 140, MaskState.NONE, 0.88f, 2L)), T0);
        state.classification(scene("cam-hall", 2, T0 + 100, 42,
                face(410, 105, 200, 240, MaskState.WORN, 0.96f, 1L),
                face(1100, 500, 150, 180, MaskState.INCORRECT, 0.7f, 3L),
                face(905, 310, 118, 138, MaskState.NONE, 0.91f, 2L)), T0 + 100);

        CameraView hall = state.snapshot(T0 + 200, List.of()).cameras().get(0);
        assertThat(hall.events()).isEqualTo(2);
        assertThat(hall.people()).isEqualTo(3);
        assertThat(hall.tracksSeen()).isEqualTo(3);
        assertThat(hall.byMask()).containsEntry("WORN", 2L).containsEntry("NONE", 2L).containsEntry("INCORRECT", 1L);
        assertThat(hall.byClass()[2 * 6 + 1 * 3 + 1]).isEqualTo(2); // NONE, FEMALE, 30-59: one per face, not per frame
        assertThat(hall.detectorVersion()).isEqualTo("blazeface-front-1");
        assertThat(hall.faces()).extracting(FaceView::trackId).containsExactly(1L, 3L, 2L);
        assertThat(hall.faces()).extracting(f -> f.mask().label()).containsExactly("WORN", "INCORRECT", "NONE");
        FaceView second = hall.faces().get(1);
        assertThat(second.box()).isEqualTo(new Snapshot.BoxView(1100, 500, 150, 180));
        assertThat(second.mask().probability()).isEqualTo(0.7, Offset.offset(1e-4));
        assertThat(second.mask().probabilities()).hasSize(3);
        assertThat(second.classCode()).isEqualTo(1 * 6 + 1 * 3 + 1);
        assertThat(second.detectionScore()).isEqualTo(0.91, Offset.offset(1e-4));
        // the frame-level verdict is the most prominent face's
        assertThat(hall.mask().label()).isEqualTo("WORN");
        assertThat(hall.classCode()).isEqualTo(hall.faces().get(0).classCode());
        // no frames kept: the boxes' extent is all that is known of the frame
        assertThat(hall.frameSize()).isEqualTo(new FrameSize(1250, 680, FrameSize.FROM_BOXES));
    }

    @Test
    void eventsWrittenBeforeFacesCountTheirFrameLevelVerdictAsOneFaceAndDrawNoBox() {
        DashboardState state = new DashboardState(false, T0);
        state.classification(classification("cam-old", 1, T0, 40, MaskState.INCORRECT), T0); // faces empty
        CameraView old = state.snapshot(T0 + 10, List.of()).cameras().get(0);
        assertThat(old.byMask()).containsEntry("INCORRECT", 1L);
        assertThat(old.mask().label()).isEqualTo("INCORRECT");
        assertThat(old.faces()).isEmpty();
        assertThat(old.people()).isZero();
        assertThat(old.tracksSeen()).isZero();
        assertThat(old.frameSize()).isNull();
    }

    @Test
    void aWholeFrameVerdictsCentreCropGivesTheFrameSizeAndNoTrack() {
        DashboardState state = new DashboardState(false, T0);
        // a 480x640 portrait centre-cropped to a square input: 80 px margins above and below
        state.classification(wholeFrame("cam-portrait", 1, T0, 40, face(0, 80, 480, 480, MaskState.WORN, 0.9f, null)), T0);
        CameraView p = state.snapshot(T0 + 10, List.of()).cameras().get(0);
        assertThat(p.frameSize()).isEqualTo(new FrameSize(480, 640, FrameSize.FROM_CROP));
        assertThat(p.people()).isEqualTo(1);
        assertThat(p.faces().get(0).trackId()).isNull();
        assertThat(p.tracksSeen()).isZero();
        assertThat(p.detectorVersion()).isNull();
    }

    @Test
    void keptFramesGiveTheFrameSizeFromTheEventElseFromTheImageHeaderAndFramesOffFallBackToTheBoxes() throws Exception {
        Classification detected = scene("cam-a", 1, T0, 40, face(10, 20, 30, 40, MaskState.NONE, 0.9f, 5L));
        DashboardState on = new DashboardState(true, T0);
        on.classification(detected, T0);
        on.frame(frame("cam-a", 1, png(320, 200), 1280, 720), T0);
        assertThat(on.snapshot(T0, List.of()).cameras().get(0).frameSize())
                .isEqualTo(new FrameSize(1280, 720, FrameSize.FROM_FRAME));
        on.frame(frame("cam-a", 2, png(320, 200), null, null), T0);
        assertThat(on.snapshot(T0, List.of()).cameras().get(0).frameSize())
                .isEqualTo(new FrameSize(320, 200, FrameSize.FROM_IMAGE));
        on.frame(frame("cam-a", 3, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2}, null, null), T0); // no readable header
        assertThat(on.snapshot(T0, List.of()).cameras().get(0).frameSize())
                .isEqualTo(new FrameSize(40, 60, FrameSize.FROM_BOXES));

        DashboardState off = new DashboardState(false, T0);
        off.classification(detected, T0);
        off.frame(frame("cam-a", 1, png(320, 200), 1280, 720), T0);
        CameraView a = off.snapshot(T0, List.of()).cameras().get(0);
        assertThat(off.latestFrame("cam-a")).isEmpty();
        assertThat(a.hasFrame()).isFalse();
        assertThat(a.frameSize()).isEqualTo(new FrameSize(40, 60, FrameSize.FROM_BOXES));
    }

    @Test
    void distinctTracksAreCountedOnceWithinTheRememberedIdsAndFacesShownAreCappedButPeopleCountsAll() {
        DashboardState state = new DashboardState(false, T0);
        int crowd = DashboardState.MAX_FACES_SHOWN + 8;
        Face[] faces = IntStream.range(0, crowd)
                .mapToObj(i -> face(i * 10, 0, 9, 9, MaskState.WORN, 0.9f, (long) i + 1)).toArray(Face[]::new);
        for (int seq = 1; seq <= 3; seq++) { // the same crowd three frames running
            state.classification(scene("cam-crowd", seq, T0 + seq, 40, faces), T0 + seq);
        }
        CameraView c = state.snapshot(T0 + 10, List.of()).cameras().get(0);
        assertThat(c.people()).isEqualTo(crowd);
        assertThat(c.faces()).hasSize(DashboardState.MAX_FACES_SHOWN);
        assertThat(c.faces().get(0).trackId()).isEqualTo(1L);
        assertThat(c.tracksSeen()).isEqualTo(crowd);
        assertThat(c.byMask()).containsEntry("WORN", 3L * crowd);

        for (long id = 1000; id < 1000 + DashboardState.TRACKS_REMEMBERED + 1; id++) {
            state.classification(scene("cam-crowd", id, T0 + 20, 40, face(0, 0, 9, 9, MaskState.WORN, 0.9f, id)), T0 + 20);
        }
        assertThat(state.snapshot(T0 + 30, List.of()).cameras().get(0).tracksSeen())
                .isEqualTo(crowd + DashboardState.TRACKS_REMEMBERED + 1);
    }

    @Test
    void alertsAboutATrackedPersonCarryTheTrackIdIntoTheFeedAndWholeFrameAlertsNone() {
        DashboardState state = new DashboardState(false, T0);
        state.alert(alert("cam-hall", AlertKind.NO_MASK, 7, Instant.ofEpochMilli(T0), "v1", 12L), T0);
        state.alert(alert("cam-portrait", AlertKind.NO_MASK, 7, Instant.ofEpochMilli(T0), "v1"), T0);
        Snapshot s = state.snapshot(T0 + 10, List.of());
        assertThat(s.alerts()).extracting(Snapshot.AlertView::trackId).containsExactly(null, 12L);
        assertThat(s.alerts().get(1).alertId()).isEqualTo("cam-hall/track-12/NO_MASK/7");
    }

    @Test
    void snapshotJsonGivesEachFaceItsBoxLabelTrackAndScoreAndTheFrameSize() throws Exception {
        DashboardState state = new DashboardState(false, T0);
        state.classification(scene("cam-hall", 9, T0, 40, face(100.25f, 50, 80, 90, MaskState.NONE, 0.93f, 12L)), T0);
        JsonNode cam = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(state.snapshot(T0, List.of())))
                .at("/cameras/0");
        assertThat(cam.at("/people").asInt()).isEqualTo(1);
        assertThat(cam.at("/tracksSeen").asLong()).isEqualTo(1);
        assertThat(cam.at("/frameSize/width").asInt()).isEqualTo(181);
        assertThat(cam.at("/frameSize/height").asInt()).isEqualTo(140);
        assertThat(cam.at("/frameSize/from").asText()).isEqualTo("boxes");
        JsonNode f = cam.at("/faces/0");
        assertThat(f.at("/box/x").asDouble()).isEqualTo(100.3);
        assertThat(f.at("/box/y").asDouble()).isEqualTo(50.0);
        assertThat(f.at("/box/width").asDouble()).isEqualTo(80.0);
        assertThat(f.at("/box/height").asDouble()).isEqualTo(90.0);
        assertThat(f.at("/mask/label").asText()).isEqualTo("NONE");
        assertThat(f.at("/mask/probability").asDouble()).isEqualTo(0.93, Offset.offset(1e-4));
        assertThat(f.at("/classCode").asInt()).isEqualTo(2 * 6 + 1 * 3 + 1);
        assertThat(f.at("/trackId").asLong()).isEqualTo(12);
        assertThat(f.at("/detectionScore").asDouble()).isEqualTo(0.91, Offset.offset(1e-4));
    }

    static Frame frame(String camera, long seq, byte[] image, Integer width, Integer height) {
        return Frame.newBuilder().setCameraId(camera).setSequence(seq).setCaptureTime(Instant.ofEpochMilli(T0))
                .setImage(ByteBuffer.wrap(image)).setContentType("image/png").setWidth(width).setHeight(height)
                .setSource(null).build();
    }

    static byte[] png(int width, int height) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }
}
