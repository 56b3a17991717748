package io.maskstream.evaluation;

import io.maskstream.datasets.Frames;
import io.maskstream.synthetic.SyntheticScenes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskstream.embedded.HeadlessChromium;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.synthetic.SyntheticPerson;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.Topics;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay evaluation over a recorded labeled topic on the real broker, with released models. */
class ReplayEvaluationIntegrationTest {

    static final int PERSONS = 18;
    static Map<String, String> settings;
    static EvaluationConfig config;

    @BeforeAll
    static void recordATopicAndReleaseTwoModels() throws Exception {
        var stack = SharedTestStack.get();
        String id = UUID.randomUUID().toString().substring(0, 6);
        settings = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "schema.registry.url",
                stack.registryUrl(), "topic.labeled.frames", "rev-" + id + "-labeled", "topic.model.releases",
                "rev-" + id + "-releases", "topic.model.artifacts", "rev-" + id + "-artifacts", "topic.partitions", "2"));
        config = new EvaluationConfig(ConfigSource.of(settings));
        TopicAdmin.ensure(config);
        var topic = new Topics(config).labeledFrames();
        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(11).withSize(192, 256));
        try (var producer = new KafkaProducer<>(config.kafkaProperties(io.maskstream.runtime.config.ServiceConfig.ClientKind.PRODUCER),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            long seq = 0;
            for (int p = 0; p < PERSONS; p++) {
                SyntheticPerson person = faces.person(p);
                for (MaskState state : MaskState.values()) {
                    LabeledFrame f = faces.labeledFrame("cam-" + (p % 3), seq++, person, state, p);
                    producer.send(new ProducerRecord<>(topic.name(), person.id(), f));
                }
            }
            producer.flush();
        }
        ReleaseLog log = new ReleaseLog(config);
        ArtifactStore store = new ArtifactStore(config);
        for (String v : List.of("eval-a", "eval-b")) {
            ModelBundle bundle = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, v, v.hashCode());
            String uri = store.publish(v, bundle.toBytes(), bundle.sha256());
            Instant now = Instant.now();
            log.publish(ModelRelease.newBuilder().setVersion(v).setArchitecture("fastnet").setInputWidth(96)
                    .setInputHeight(128).setStatus(v.equals("eval-b") ? ReleaseStatus.ACTIVE : ReleaseStatus.RETIRED)
                    .setCreatedTime(now).setStatusTime(now).setSha256(bundle.sha256()).setArtifactUri(uri)
                    .setArtifactBytes(bundle.toBytes().length).setTrainingData("none").setMetrics(null).setNotes(null).build());
        }
    }

    @Test
    void replayingTheSameRangeTwiceGivesByteIdenticalJsonAndLeavesLiveGroupsAlone(@TempDir Path dir) throws Exception {
        String live = "live-" + UUID.randomUUID();
        TopicPartition p0 = new TopicPartition(settings.get("topic.labeled.frames"), 0);
        Map<String, Object> consumerProps = new HashMap<>(config.kafkaProperties(
                io.maskstream.runtime.config.ServiceConfig.ClientKind.CONSUMER));
        consumerProps.put("group.id", live);
        try (var consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(p0));
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(5)));
        }

        TopicRange range = TopicRange.all(settings.get("topic.labeled.frames"));
        ReplayEvaluation evaluation = new ReplayEvaluation(config);
        ReplayEvaluation.Outcome first = evaluation.run(range, List.of("eval-a", "active"), dir.resolve("one"));
        ReplayEvaluation.Outcome second = evaluation.run(range, List.of("eval-a", "active"), dir.resolve("two"));

        byte[] a = Files.readAllBytes(dir.resolve("one/evaluation.json"));
        byte[] b = Files.readAllBytes(dir.resolve("two/evaluation.json"));
        assertThat(a).isEqualTo(b);
        JsonNode json = new ObjectMapper().readTree(a);
        assertThat(json.get("frames").asInt()).isEqualTo(PERSONS * 3);
        assertThat(json.get("versions")).hasSize(2);
        assertThat(json.get("versions").get(0).get("version").asText()).isEqualTo("eval-a");
        assertThat(json.get("versions").get(1).get("version").asText()).isEqualTo("eval-b");
        assertThat(json.get("versions").get(1).get("perCamera").size()).isEqualTo(3);
        assertThat(json.get("versions").get(1).get("samples").asInt()).isEqualTo(PERSONS * 3);
        assertThat(first.results().get(1).metrics().getMacroF1()).isEqualTo(second.results().get(1).metrics().getMacroF1());
        JsonNode calibration = json.get("versions").get(1).get("calibration");
        for (String kind : List.of("classes", "mask", "gender", "age")) {
            JsonNode k = calibration.get(kind);
            assertThat(k.get("samples").asInt()).isEqualTo(PERSONS * 3);
            assertThat(k.get("bins")).hasSize(15);
            int counted = 0;
            for (JsonNode bin : k.get("bins")) {
                counted += bin.get("count").asInt();
            }
            assertThat(counted).isEqualTo(PERSONS * 3);
            assertThat(k.get("ece").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(json.get("mcDropout").get("passes").asInt()).isZero();
        assertThat(json.get("calibrationBinning").asText()).startsWith("15 equal-width bins");

        try (Admin admin = Admin.create(config.kafkaProperties(io.maskstream.runtime.config.ServiceConfig.ClientKind.ADMIN))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(live)
                    .partitionsToOffsetAndMetadata().get();
            assertThat(offsets).containsOnlyKeys(p0);
            assertThat(offsets.get(p0).offset()).isEqualTo(5);
        }
    }

    /**
     * A range of scenes is scored per face with detection: the report's {@code scenes} section counts every labeled
     * face once, as found or missed, with recall per mask state, and the HTML shows the scene table. (The detector here
     * is untrained: what is checked is the accounting, not the figures.)
     */
    @Test
    void scenesAreScoredPerFaceWithDetectionInTheJsonAndHtmlReports(@TempDir Path dir) throws Exception {
        String topicName = settings.get("topic.labeled.frames") + "-scenes";
        Map<String, String> s = new HashMap<>(settings);
        s.put("topic.labeled.frames", topicName);
        EvaluationConfig sceneConfig = new EvaluationConfig(ConfigSource.of(s));
        TopicAdmin.ensure(sceneConfig);
        var topic = new Topics(sceneConfig).labeledFrames();
        SyntheticScenes scenes = SyntheticScenes.defaults(3);
        int labeledFaces = 0;
        java.util.Set<String> masks = new java.util.TreeSet<>();
        try (var producer = new KafkaProducer<>(sceneConfig.kafkaProperties(
                io.maskstream.runtime.config.ServiceConfig.ClientKind.PRODUCER), topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            for (int seq = 0; seq < 6; seq++) {
                for (int frame = 0; frame < 20; frame += 5) {
                    LabeledFrame f = Frames.labeledFrame("scene-cam", seq * 20L + frame,
                            scenes.capture(seq, frame, Instant.now()));
                    labeledFaces += f.getFaces().size();
                    f.getFaces().forEach(face -> masks.add(face.getMaskState().name()));
                    producer.send(new ProducerRecord<>(topic.name(), f.getPersonId(), f));
                }
            }
            producer.flush();
        }
        Path bundle = dir.resolve("scene.bundle");
        ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "scene-eval", 9)
                .withDetector(ModelBundle.untrained("gridnet", HeadLayout.FACE_GRID, "scene-eval-detector", 9)).write(bundle);

        ReplayEvaluation.Outcome outcome = new ReplayEvaluation(sceneConfig).run(TopicRange.all(topicName),
                List.of(bundle.toString()), dir.resolve("report"));

        assertThat(outcome.frames()).isEqualTo(24);
        JsonNode version = new ObjectMapper().readTree(dir.resolve("report/evaluation.json").toFile()).get("versions").get(0);
        JsonNode sc = version.get("scenes");
        assertThat(sc.get("detector").asText()).isEqualTo("scene-eval-detector");
        assertThat(sc.get("scenes").asInt()).isEqualTo(24);
        assertThat(sc.get("faces").asInt()).isEqualTo(labeledFaces).isPositive();
        JsonNode d = sc.get("detection");
        assertThat(d.get("truePositives").asInt() + d.get("falseNegatives").asInt()).isEqualTo(labeledFaces);
        assertThat(sc.get("missedFaces").asInt()).isEqualTo(d.get("falseNegatives").asInt());
        java.util.List<String> keys = new java.util.ArrayList<>();
        d.get("recallByMask").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyElementsOf(masks);
        assertThat(version.get("samples").asInt()).as("per-face metrics count every labeled face").isEqualTo(labeledFaces);
        assertThat(sc.get("perFace").has("macroF1")).isTrue();
        assertThat(Files.readString(dir.resolve("report/evaluation.html"))).contains("Scenes: detection at IoU 0.5");
    }

    /** With MC-dropout the replay scores the served mean: its own figures, the same bytes on every run. */
    @Test
    void aReplayWithMcDropoutRecordsItsPassesAndIsByteIdenticalToo(@TempDir Path dir) throws Exception {
        Map<String, String> mc = new HashMap<>(settings);
        mc.put(EvaluationConfig.MC_PASSES, "4");
        mc.put(EvaluationConfig.MC_DROPOUT, "0.5");
        ReplayEvaluation evaluation = new ReplayEvaluation(new EvaluationConfig(ConfigSource.of(mc)));
        TopicRange range = TopicRange.all(settings.get("topic.labeled.frames"));
        evaluation.run(range, List.of("eval-a"), dir.resolve("one"));
        evaluation.run(range, List.of("eval-a"), dir.resolve("two"));
        new ReplayEvaluation(config).run(range, List.of("eval-a"), dir.resolve("plain"));

        byte[] a = Files.readAllBytes(dir.resolve("one/evaluation.json"));
        assertThat(a).isEqualTo(Files.readAllBytes(dir.resolve("two/evaluation.json")));
        JsonNode json = new ObjectMapper().readTree(a);
        assertThat(json.get("mcDropout").get("passes").asInt()).isEqualTo(4);
        assertThat(json.get("mcDropout").get("rate").asDouble()).isEqualTo(0.5);
        JsonNode plain = new ObjectMapper().readTree(dir.resolve("plain/evaluation.json").toFile());
        assertThat(json.get("versions").get(0).get("calibration").get("mask").get("bins"))
                .as("the mean of masked passes is not the plain pass")
                .isNotEqualTo(plain.get("versions").get(0).get("calibration").get("mask").get("bins"));
        assertThat(json.get("versions").get(0).get("calibration").get("spread").get("samples").asInt())
                .as("every prediction carried its spread").isEqualTo(PERSONS * 3);
        assertThat(plain.get("versions").get(0).get("calibration").has("spread")).as("one pass: no spread").isFalse();
        assertThatThrownBy(() -> new EvaluationConfig(ConfigSource.of(Map.of(EvaluationConfig.MC_PASSES, "1"))))
                .hasMessageContaining(EvaluationConfig.MC_PASSES).hasMessageContaining("one pass has no spread");
    }

    /** Also: an ensemble bundle is replayed beside a single version like any version, under its own version. */
    @Test
    void aRangeOfOffsetsReplaysOnlyThoseRecordsThroughASingleModelAndAnEnsemble(@TempDir Path dir) throws Exception {
        ModelBundle ensemble = ModelBundle.ensemble("eval-ens", io.maskstream.model.EnsembleVote.HARD, List.of(
                ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "eval-a", "eval-a".hashCode()),
                ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "eval-b", "eval-b".hashCode())));
        ensemble.write(dir.resolve("ensemble.bundle"));
        TopicRange range = TopicRange.parse(settings.get("topic.labeled.frames"), "0:3,1:0", "0:9,1:4", null, null);
        ReplayEvaluation.Outcome outcome = new ReplayEvaluation(config).run(range, List.of("eval-a",
                dir.resolve("ensemble.bundle").toString()), dir.resolve("report"));
        assertThat(outcome.frames()).isEqualTo(6 + 4);
        assertThat(outcome.range()).endsWith("[0:3-9, 1:0-4]");
        assertThat(outcome.results()).extracting(VersionResult::version).containsExactly("eval-a", "eval-ens");
        assertThat(outcome.results().get(1).architecture()).isEqualTo("ensemble");
        assertThat(outcome.results().get(1).metrics().getSamples()).isEqualTo(6 + 4);
    }

    @Test
    void theHtmlReportOpensOfflineInHeadlessChromiumWithChartsAndNoConsoleErrors(@TempDir Path dir) throws Exception {
        ReplayEvaluation.Outcome outcome = new ReplayEvaluation(config).run(
                TopicRange.all(settings.get("topic.labeled.frames")), List.of("eval-a", "eval-b"), dir.resolve("report"));
        String html = Files.readString(outcome.report());
        assertThat(html).doesNotContain("http://", "https://").contains("<svg");
        try (HeadlessChromium chromium = new HeadlessChromium(dir.resolve("profile"), 1280, 1600)) {
            chromium.driver().get(outcome.report().toUri().toString());
            assertThat(chromium.driver().getTitle()).isEqualTo("maskstream evaluation");
            assertThat(chromium.driver().findElements(org.openqa.selenium.By.cssSelector("svg"))).hasSizeGreaterThanOrEqualTo(4);
            assertThat(chromium.driver().findElements(org.openqa.selenium.By.cssSelector(
                    "svg[aria-label='18-class reliability diagram'] circle"))).as("a point per non-empty bin").isNotEmpty();
            assertThat(chromium.driver().findElements(org.openqa.selenium.By.cssSelector("svg rect")).size())
                    .as("bars and heat-map cells").isGreaterThan(18 * 18);
            BufferedImage shot = chromium.screenshot(Path.of("target", "evaluation-report.png"));
            assertThat(HeadlessChromium.distinctColours(shot)).as("a rendered report, not a blank page").isGreaterThan(20);
            assertThat(chromium.consoleErrors()).isEmpty();
        }
    }
}
