package io.maskstream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.AgeBand;
import io.maskstream.events.AgeHead;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.events.Gender;
import io.maskstream.events.GenderHead;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskHead;
import io.maskstream.events.MaskState;
import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.model.LabelCodec;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The online join, in the TopologyTestDriver (Avro serdes against the shared test registry). */
class OnlineEvaluationTopologyTest {

    static LabeledFrame label(String camera, long seq, MaskState mask, Gender gender, int age) {
        Frame f = Frame.newBuilder().setCameraId(camera).setSequence(seq).setCaptureTime(Instant.ofEpochMilli(1000 + seq))
                .setImage(ByteBuffer.wrap(new byte[] {1})).setContentType("image/jpeg").setWidth(null).setHeight(null)
                .setSource(null).build();
        return LabeledFrame.newBuilder().setFrame(f).setPersonId("p" + seq).setGender(gender).setAge(age).setRace(null)
                .setMaskState(mask).setSourcePath("x").build();
    }

    static Classification answer(String camera, long seq, String version, int code) {
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq)
                .setCaptureTime(Instant.ofEpochMilli(1000 + seq)).setProcessedTime(Instant.ofEpochMilli(1100 + seq))
                .setLatencyMs(100).setModelVersion(version)
                .setMask(MaskHead.newBuilder().setLabel(io.maskstream.events.MaskState.valueOf(LabelCodec.mask(code).name())).setProbability(1f).setProbabilities(List.of(1f, 0f, 0f)).build())
                .setGender(GenderHead.newBuilder().setLabel(io.maskstream.events.Gender.valueOf(LabelCodec.gender(code).name())).setProbability(1f).setProbabilities(List.of(1f, 0f)).build())
                .setAge(AgeHead.newBuilder().setLabel(io.maskstream.events.AgeBand.valueOf(LabelCodec.age(code).name())).setProbability(1f).setProbabilities(List.of(1f, 0f, 0f)).build())
                .setClassCode(code).setClassProbability(1f).setBatchSize(1).setSource(null).build();
    }

    @Test
    void joinsAnswersWithLabelsByFrameAndKeepsARunningConfusionPerVersion(@TempDir Path state) {
        EvaluationConfig config = new EvaluationConfig(ConfigSource.of(Map.of("schema.registry.url",
                SharedTestStack.get().registryUrl(), "topic.labeled.frames", "oe-labeled", "topic.classifications", "oe-cls",
                EvaluationConfig.ONLINE_STATE_DIR, state.toString())));
        Topics topics = new Topics(config);
        Map<String, Confusion> view = new ConcurrentHashMap<>();
        List<String> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
        Properties props = OnlineEvaluation.streamsProperties(config);
        props.put("processing.guarantee", "at_least_once");
        try (TopologyTestDriver driver = new TopologyTestDriver(OnlineEvaluation.build(config, topics, view, versions::add), props)) {
            TestInputTopic<String, LabeledFrame> labels = driver.createInputTopic("oe-labeled",
                    topics.labeledFrames().keySerde().serializer(), topics.labeledFrames().valueSerde().serializer());
            TestInputTopic<String, Classification> answers = driver.createInputTopic("oe-cls",
                    topics.classifications().keySerde().serializer(), topics.classifications().valueSerde().serializer());
            // truth: frame 0 = WORN/MALE/<30 (class 0), frame 1 = NONE/FEMALE/65 (class 17)
            labels.pipeInput("p0", label("cam", 0, MaskState.WORN, Gender.MALE, 20), Instant.ofEpochMilli(1000));
            answers.pipeInput("cam", answer("cam", 0, "v1", 0), Instant.ofEpochMilli(1001));
            answers.pipeInput("cam", answer("cam", 1, "v1", 17), Instant.ofEpochMilli(1002));   // label arrives after
            labels.pipeInput("p1", label("cam", 1, MaskState.NONE, Gender.FEMALE, 65), Instant.ofEpochMilli(1003));
            answers.pipeInput("cam", answer("cam", 0, "v2", 3), Instant.ofEpochMilli(1004));   // v2 wrong on frame 0
            answers.pipeInput("cam", answer("cam", 9, "v2", 3), Instant.ofEpochMilli(1005));   // no label: not counted

            Map<String, Confusion> scored = OnlineEvaluation.byVersion(view);
            assertThat(versions).containsExactly("v1", "v2");
            assertThat(scored.get("v1").total()).isEqualTo(2);
            assertThat(scored.get("v1").count(0, 0)).isEqualTo(1);
            assertThat(scored.get("v1").count(17, 17)).isEqualTo(1);
            assertThat(scored.get("v1").macroF1()).isEqualTo(1.0);
            assertThat(scored.get("v2").total()).isEqualTo(1);
            assertThat(scored.get("v2").count(0, 3)).isEqualTo(1);
            assertThat(scored.get("v2").macroF1()).isZero();
        }
        assertThat(view).as("a closed task's counts leave the view").isEmpty();
    }
}
