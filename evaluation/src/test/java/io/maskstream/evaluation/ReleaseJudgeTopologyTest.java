package io.maskstream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntUnaryOperator;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online evaluation's version comparisons (agreement, F1 on the same labeled frames) in the TopologyTestDriver,
 * fed with events written the way processors write them (a version's events on {@code classifications}, shadow
 * releases' and, on a canary's cameras, the active model's on {@code classifications-shadow}), and the
 * {@link ReleaseJudge}'s verdicts on those figures.
 */
class ReleaseJudgeTopologyTest {

    private static final int[] AGES = {20, 45, 65};

    @TempDir
    Path state;
    private TopologyTestDriver driver;
    private Map<String, Confusion> view;
    private VersionPairs.Views pairs;
    private TestInputTopic<String, LabeledFrame> labels;
    private TestInputTopic<String, Classification> live;
    private TestInputTopic<String, Classification> shadow;
    private long clock = 1000;

    private EvaluationConfig config(Map<String, String> judge) {
        Map<String, String> m = new HashMap<>(Map.of("schema.registry.url", SharedTestStack.get().registryUrl(),
                "topic.labeled.frames", "rj-labeled", "topic.classifications", "rj-cls",
                "topic.classifications.shadow", "rj-cls-shadow", EvaluationConfig.ONLINE_STATE_DIR, state.toString()));
        m.putAll(judge);
        return new EvaluationConfig(ConfigSource.of(m));
    }

    private void startDriver(EvaluationConfig config) {
        Topics topics = new Topics(config);
        view = new ConcurrentHashMap<>();
        pairs = new VersionPairs.Views();
        Properties props = OnlineEvaluation.streamsProperties(config);
        props.put("processing.guarantee", "at_least_once");
        driver = new TopologyTestDriver(OnlineEvaluation.build(config, topics, view, pairs, v -> { }), props);
        labels = driver.createInputTopic("rj-labeled", topics.labeledFrames().keySerde().serializer(),
                topics.labeledFrames().valueSerde().serializer());
        live = driver.createInputTopic("rj-cls", topics.classifications().keySerde().serializer(),
                topics.classifications().valueSerde().serializer());
        shadow = driver.createInputTopic("rj-cls-shadow", topics.shadowClassifications().keySerde().serializer(),
                topics.shadowClassifications().valueSerde().serializer());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Frame {@code seq}'s true class: every class in turn. */
    private static int truth(long seq) {
        return (int) (seq % 18);
    }

    private static int wrong(long seq) {
        return (truth(seq) + 1) % 18;
    }

    private void label(String camera, long seq) {
        int code = truth(seq);
        labels.pipeInput("p" + seq, OnlineEvaluationTopologyTest.label(camera, seq,
                MaskState.values()[code / 6], Gender.values()[code / 3 % 2], AGES[code % 3]), Instant.ofEpochMilli(clock++));
    }

    private void answer(TestInputTopic<String, Classification> topic, String camera, long seq, String version, int code) {
        topic.pipeInput(camera, OnlineEvaluationTopologyTest.answer(camera, seq, version, code), Instant.ofEpochMilli(clock++));
    }

    private LiveQuality quality() {
        return new LiveQuality(OnlineEvaluation.byVersion(view), pairs.agreementByPair(), pairs.pairedByPair());
    }

    static ModelRelease release(String version, ReleaseStatus status) {
        Instant t = Instant.ofEpochMilli(1_000_000);
        return ModelRelease.newBuilder().setVersion(version).setArchitecture("fastnet-multihead").setInputWidth(128)
                .setInputHeight(128).setStatus(status).setCreatedTime(t).setStatusTime(t).setSha256("0".repeat(64))
                .setArtifactUri("kafka://model-artifacts/" + version).setArtifactBytes(1).setTrainingData("test")
                .setMetrics(null).setNotes(null).setCanaryShare(status == ReleaseStatus.CANARY ? 0.1 : null).build();
    }

    private static Map<String, ModelRelease> releases(ModelRelease... rs) {
        Map<String, ModelRelease> m = new LinkedHashMap<>();
        for (ModelRelease r : rs) {
            m.put(r.getVersion(), r);
        }
        return m;
    }

    /** The releases after publishing {@code verdicts}' records (what re-reading the compacted topic gives). */
    private static Map<String, ModelRelease> after(Map<String, ModelRelease> releases, List<ReleaseJudge.Verdict> verdicts) {
        Map<String, ModelRelease> next = new LinkedHashMap<>(releases);
        verdicts.forEach(v -> v.records().forEach(r -> next.put(r.getVersion(), r)));
        return next;
    }

    /** On a canary's camera: the canary serves (classifications), the active model's answer goes to the shadow topic. */
    private void canaryFrame(long seq, String canary, IntUnaryOperator canaryAnswer) {
        answer(live, "canary-cam", seq, canary, canaryAnswer.applyAsInt((int) seq));
        answer(shadow, "canary-cam", seq, "v1", truth(seq));
    }

    @Test
    void aCanaryThatDisagreesWithTheActiveModelIsRolledBackOnceItHasTheMinimumFramesAndOnlyOnce() {
        ReleaseJudge judge = new ReleaseJudge(config(Map.of(EvaluationConfig.CANARY_MIN_FRAMES, "20",
                EvaluationConfig.CANARY_MIN_AGREEMENT, "0.8")));
        startDriver(config(Map.of()));
        Map<String, ModelRelease> releases = releases(release("v1", ReleaseStatus.ACTIVE), release("c1", ReleaseStatus.CANARY));
        IntUnaryOperator halfWrong = seq -> seq % 2 == 0 ? truth(seq) : wrong(seq);
        for (long seq = 0; seq < 19; seq++) {
            canaryFrame(seq, "c1", halfWrong);
            answer(live, "other-cam", seq, "v1", truth(seq)); // the active model alone elsewhere: compared with nothing
        }
        assertThat(quality().compare("c1", "v1").agreementFrames()).isEqualTo(19);
        assertThat(judge.judge(releases, quality())).as("not judged before %d frames", 20).isEmpty();

        canaryFrame(19, "c1", halfWrong);
        LiveQuality.Comparison c = quality().compare("c1", "v1");
        assertThat(c.agreementFrames()).isEqualTo(20);
        assertThat(c.agreement()).isEqualTo(0.5);
        List<ReleaseJudge.Verdict> verdicts = judge.judge(releases, quality());
        assertThat(verdicts).singleElement().satisfies(v -> {
            assertThat(v.version()).isEqualTo("c1");
            assertThat(v.action()).isEqualTo(ReleaseJudge.Action.ROLL_BACK);
            assertThat(v.records()).singleElement().satisfies(r -> {
                assertThat(r.getVersion()).isEqualTo("c1");
                assertThat(r.getStatus()).isEqualTo(ReleaseStatus.RETIRED);
                assertThat(r.getNotes()).contains("agreement with active v1 0.5000 over 20 frames < "
                        + EvaluationConfig.CANARY_MIN_AGREEMENT + " 0.8000");
            });
        });
        canaryFrame(20, "c1", halfWrong);
        assertThat(judge.judge(after(releases, verdicts), quality())).as("a retired canary is not rolled back again").isEmpty();
    }

    @Test
    void aCanaryWhoseLiveF1OnLabeledFramesFallsBelowTheThresholdIsRolledBackWithTheFiguresInItsNotes() {
        ReleaseJudge judge = new ReleaseJudge(config(Map.of(EvaluationConfig.CANARY_MIN_FRAMES, "20",
                EvaluationConfig.CANARY_MIN_AGREEMENT, "0", EvaluationConfig.CANARY_MIN_F1, "0.5")));
        startDriver(config(Map.of()));
        Map<String, ModelRelease> releases = releases(release("v1", ReleaseStatus.ACTIVE), release("c2", ReleaseStatus.CANARY));
        for (long seq = 0; seq < 20; seq++) {
            label("canary-cam", seq);
            canaryFrame(seq, "c2", ReleaseJudgeTopologyTest::wrong);
        }
        LiveQuality q = quality();
        assertThat(q.confusion("c2").total()).isEqualTo(20);
        assertThat(q.compare("c2", "v1").labeledFrames()).isEqualTo(20);
        assertThat(q.compare("c2", "v1").otherOnShared().macroF1()).isEqualTo(1.0);
        assertThat(judge.judge(releases, q)).singleElement().satisfies(v -> {
            assertThat(v.action()).isEqualTo(ReleaseJudge.Action.ROLL_BACK);
            assertThat(v.records().get(0).getStatus()).isEqualTo(ReleaseStatus.RETIRED);
            assertThat(v.notes()).contains("live macro-F1 0.0000 over 20 labeled frames < " + EvaluationConfig.CANARY_MIN_F1)
                    .contains("active v1 on the same labeled frames 1.0000 vs 0.0000 over 20");
        });
    }

    @Test
    void aCanaryThatDoesWellIsNotRolledBack() {
        ReleaseJudge judge = new ReleaseJudge(config(Map.of(EvaluationConfig.CANARY_MIN_FRAMES, "20",
                EvaluationConfig.CANARY_MIN_AGREEMENT, "0.8", EvaluationConfig.CANARY_MIN_F1, "0.5")));
        startDriver(config(Map.of()));
        Map<String, ModelRelease> releases = releases(release("v1", ReleaseStatus.ACTIVE), release("c3", ReleaseStatus.CANARY));
        for (long seq = 0; seq < 40; seq++) {
            label("canary-cam", seq);
            canaryFrame(seq, "c3", seq2 -> seq2 % 10 == 0 ? wrong(seq2) : truth(seq2)); // 90 % agreement
        }
        assertThat(quality().compare("c3", "v1").agreement()).isEqualTo(0.9);
        assertThat(quality().confusion("c3").total()).isEqualTo(40);
        assertThat(judge.judge(releases, quality())).isEmpty();
    }

    @Test
    void aShadowIsPromotedWhenItsLiveF1OnTheSameLabeledFramesLeadsTheActiveByTheMarginAfterNFramesNotBeforeAndNotWhenWorse() {
        ReleaseJudge judge = new ReleaseJudge(config(Map.of(EvaluationConfig.SHADOW_PROMOTE, "true",
                EvaluationConfig.SHADOW_MIN_FRAMES, "36", EvaluationConfig.SHADOW_MARGIN, "0.05")));
        startDriver(config(Map.of()));
        Map<String, ModelRelease> releases = releases(release("v1", ReleaseStatus.ACTIVE),
                release("s-good", ReleaseStatus.SHADOW), release("s-bad", ReleaseStatus.SHADOW));
        // before the shadows run: 18 labeled frames the active model gets right; not part of the comparison
        for (long seq = 0; seq < 18; seq++) {
            label("cam", seq);
            answer(live, "cam", seq, "v1", truth(seq));
        }
        // the shadow period: the active model is wrong on every 5th frame, s-good never, s-bad on every 2nd
        for (long seq = 18; seq < 18 + 35; seq++) {
            shadowPeriodFrame(seq);
        }
        LiveQuality q = quality();
        assertThat(q.confusion("v1").total()).isEqualTo(18 + 35);
        assertThat(q.compare("s-good", "v1").labeledFrames()).isEqualTo(35);
        assertThat(q.compare("v1", "s-good").versionOnShared().total()).as("the active model on the same frames only").isEqualTo(35);
        assertThat(judge.judge(releases, q)).as("not before %d labeled frames", 36).isEmpty();

        shadowPeriodFrame(18 + 35);
        q = quality();
        LiveQuality.Comparison good = q.compare("s-good", "v1");
        assertThat(good.labeledFrames()).isEqualTo(36);
        assertThat(good.versionOnShared().macroF1()).isEqualTo(1.0);
        assertThat(good.otherOnShared().macroF1()).isLessThan(1.0 - 0.05);
        assertThat(q.compare("s-bad", "v1").versionOnShared().macroF1()).isLessThan(good.otherOnShared().macroF1());
        List<ReleaseJudge.Verdict> verdicts = judge.judge(releases, q);
        assertThat(verdicts).singleElement().satisfies(v -> {
            assertThat(v.version()).isEqualTo("s-good");
            assertThat(v.action()).isEqualTo(ReleaseJudge.Action.PROMOTE);
            assertThat(v.records()).extracting(ModelRelease::getVersion, ModelRelease::getStatus).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("v1", ReleaseStatus.RETIRED),
                    org.assertj.core.groups.Tuple.tuple("s-good", ReleaseStatus.ACTIVE));
            assertThat(v.notes()).contains("on the same 36 labeled frames").contains("vs active v1");
        });
        Map<String, ModelRelease> promoted = after(releases, verdicts);
        assertThat(io.maskstream.releases.ReleaseLog.active(promoted.values()).orElseThrow().getVersion()).isEqualTo("s-good");
        assertThat(judge.judge(promoted, quality())).as("promoted once; s-bad is worse than the new active model too").isEmpty();
    }

    @Test
    void aShadowWorseThanTheActiveModelStaysAShadowHoweverManyFrames() {
        ReleaseJudge judge = new ReleaseJudge(config(Map.of(EvaluationConfig.SHADOW_PROMOTE, "true",
                EvaluationConfig.SHADOW_MIN_FRAMES, "36", EvaluationConfig.SHADOW_MARGIN, "0.0")));
        startDriver(config(Map.of()));
        Map<String, ModelRelease> releases = releases(release("v1", ReleaseStatus.ACTIVE), release("s-bad", ReleaseStatus.SHADOW));
        for (long seq = 0; seq < 90; seq++) {
            shadowPeriodFrame(seq);
        }
        assertThat(quality().compare("s-bad", "v1").labeledFrames()).isEqualTo(90);
        assertThat(judge.judge(releases, quality())).isEmpty();
    }

    private void shadowPeriodFrame(long seq) {
        label("cam", seq);
        answer(live, "cam", seq, "v1", seq % 5 == 0 ? wrong(seq) : truth(seq));
        answer(shadow, "cam", seq, "s-good", truth(seq));
        answer(shadow, "cam", seq, "s-bad", seq % 2 == 0 ? wrong(seq) : truth(seq));
    }
}
