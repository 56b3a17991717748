package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.evaluation.EvaluationConfig;
import io.maskstream.evaluation.OnlineEvaluation;
import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraStats;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.producers.dataset.DatasetSource;
import io.maskstream.synthetic.SyntheticDataset;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.events.AgeBand;
import io.maskstream.events.AgeHead;
import io.maskstream.events.Classification;
import io.maskstream.events.Gender;
import io.maskstream.events.GenderHead;
import io.maskstream.events.MaskHead;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.model.LabelCodec;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.trainer.ModelTrainer;
import io.maskstream.trainer.PseudoLabels;
import io.maskstream.trainer.Sample;
import io.maskstream.trainer.TrainerConfig;
import io.maskstream.trainer.TrainingSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online evaluation on a real broker. A labelled replay with {@code producers.labeled.also.frames}: every photo goes to labeled-frames with its label and
 * to frames without it; the live processor classifies the frames, and online evaluation joins each event with its
 * label and scores the live model version over exactly the photos replayed; read back as pseudo-labels, each frame
 * joins its one event, and none is used when the labeled photos are the run's own. And its release judge: canary events
 * written the way processors write them (the canary's on classifications, the active model's on the same frames on
 * classifications-shadow) that disagree with the active model get the canary RETIRED on model-releases, with the
 * reason, once, across a restart of the evaluation; a canary that agrees keeps serving. The drift monitor the service starts
 * beside it watches the same events (the served bundle has no release, so no training profile: its windows are
 * compared with their first full window).
 */
class OnlineEvaluationIntegrationTest {

    @Test
    void aLabeledReplayWithAlsoFramesIsScoredOnlineForTheLiveModelVersion(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "online-eval", dir, 2);
        settings.put(ProducersConfig.LABELED_ALSO_FRAMES, "true");
        settings.put(ProducersConfig.FPS, "0");
        settings.put(EvaluationConfig.ONLINE_APPLICATION_ID, "online-eval-" + dir.getFileName());
        settings.put(EvaluationConfig.ONLINE_STATE_DIR, dir.resolve("online-state").toString());
        settings.put(EvaluationConfig.DRIFT_APPLICATION_ID, "drift-" + dir.getFileName());
        settings.put(EvaluationConfig.DRIFT_WINDOW_FRAMES, "20");
        settings.put(EvaluationConfig.DRIFT_OVERALL_WINDOW_FRAMES, "20");
        Pipelines.createTopics(settings);
        Path data = dir.resolve("data");
        SyntheticDataset.write(data, new SyntheticFaces(SyntheticOptions.defaults(5).withSize(96, 128)), 6, 1, 1);
        DatasetScan scan = CompetitionDataset.scan(data, true);
        DatasetSource photos = DatasetSource.labeled(scan, "replay-cam", 0, true);
        int expected = photos.size();
        assertThat(expected).isEqualTo(6 * 7);

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(settings),
                     new SimpleMeterRegistry());
             OnlineEvaluation online = new OnlineEvaluation(new EvaluationConfig(ConfigSource.of(settings)),
                     meters);
             EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                     Pipelines.classifications(settings), Pipelines.framesDlq(settings))) {
            processor.start();
            online.start();
            ProducersConfig producers = Pipelines.producersConfig(settings);
            try (CameraPublisher publisher = new CameraPublisher(producers, new SimpleMeterRegistry(), List.of(photos))) {
                publisher.start();
                assertThat(publisher.awaitCompletion(Duration.ofMinutes(2))).isTrue();
                CameraStats stats = publisher.stats().get(0);
                assertThat(stats.acknowledged()).isEqualTo(expected);
            }

            assertThat(ledger.awaitFrames(expected, Duration.ofMinutes(3))).as("%s", ledger).isTrue();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (totalScored(online) < expected && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Map<String, Confusion> scored = online.snapshot();

            assertThat(scored).containsOnlyKeys("v-online-eval");
            assertThat(scored.get("v-online-eval").total()).isEqualTo(expected);
            assertThat(ledger.eventCount()).isEqualTo(expected);
            assertThat(ledger.events()).allSatisfy(e -> assertThat(e.getCameraId()).isEqualTo("replay-cam"));

            // the same frames as pseudo-labels: each joins the one event the live processor wrote for it...
            TrainerConfig trainer = new TrainerConfig(ConfigSource.of(Map.of("bootstrap.servers", stack.bootstrapServers(),
                    "schema.registry.url", stack.registryUrl(), CommonConfig.TOPIC_FRAMES, settings.get(CommonConfig.TOPIC_FRAMES),
                    CommonConfig.TOPIC_CLASSIFICATIONS, settings.get(CommonConfig.TOPIC_CLASSIFICATIONS),
                    TrainerConfig.PSEUDO_THRESHOLD, "0")));
            ImagePreprocessor pre = new ModelTrainer(trainer).preprocessor();
            PseudoLabels.Selection unlabeled = new PseudoLabels(trainer).select(List.of(), expected, pre);
            assertThat(unlabeled.fates()).isEqualTo("USED " + (expected / 2) + ", OVER_SHARE " + (expected - expected / 2));
            Map<String, Integer> answers = new java.util.HashMap<>();
            ledger.events().forEach(e -> answers.put("pseudo:" + e.getCameraId() + ":" + e.getFrameSequence(), e.getClassCode()));
            assertThat(unlabeled.samples()).allSatisfy(x -> assertThat(x.truth()).isEqualTo(answers.get(x.personId())));
            // ...and none is ever used when they are the labeled photos themselves
            List<Sample> labeled = TrainingSet.fromFolder(data, pre, true);
            PseudoLabels.Selection guarded = new PseudoLabels(trainer).select(labeled, labeled.size(), pre);
            assertThat(guarded.fates()).isEqualTo("LABELED_PHOTO " + expected);
            // the drift monitor slid the camera's and the version's windows past their first 20 frames
            while (meters.find("maskstream.evaluation.drift.psi").tag("camera", "replay-cam").gauges().size() < 2
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(meters.find("maskstream.evaluation.drift.psi").tag("camera", "replay-cam").gauges())
                    .hasSize(2).allSatisfy(g -> assertThat(g.value()).isFinite().isNotNegative());
            assertThat(meters.find("maskstream.evaluation.drift.overall.psi").tag("version", "v-online-eval")
                    .tag("statistic", "class_mix").gauge()).isNotNull();
        }
    }

    @Test
    void aCanaryThatDisagreesWithTheActiveModelIsRetiredOnModelReleasesWithTheReasonOnceAcrossARestart(@TempDir Path dir)
            throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = new HashMap<>();
        settings.put(CommonConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        settings.put(CommonConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        for (String t : List.of("frames", "labeled.frames", "classifications", "classifications.shadow", "alerts",
                "model.releases", "model.artifacts")) {
            settings.put("topic." + t, "judge-" + t.replace('.', '-'));
        }
        settings.put(CommonConfig.TOPIC_PARTITIONS, "1");
        settings.put(CommonConfig.METRICS_PORT, "-1");
        settings.put(EvaluationConfig.ONLINE_APPLICATION_ID, "online-judge-" + dir.getFileName());
        settings.put(EvaluationConfig.ONLINE_STATE_DIR, dir.resolve("online-state").toString());
        settings.put(EvaluationConfig.JUDGE_INTERVAL_MS, "300");
        settings.put(EvaluationConfig.CANARY_MIN_FRAMES, "20");
        settings.put(EvaluationConfig.CANARY_MIN_AGREEMENT, "0.8");
        EvaluationConfig config = new EvaluationConfig(ConfigSource.of(settings));
        Pipelines.createTopics(settings);
        ReleaseLog releases = new ReleaseLog(config);
        releases.publish(release("v1", ReleaseStatus.ACTIVE), release("c-bad", ReleaseStatus.CANARY),
                release("c-good", ReleaseStatus.CANARY));
        Topics topics = new Topics(config);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (OnlineEvaluation online = new OnlineEvaluation(config, registry);
             KafkaProducer<String, Classification> producer = new KafkaProducer<>(
                     config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER),
                     topics.classifications().keySerde().serializer(), topics.classifications().valueSerde().serializer())) {
            online.start();
            for (long seq = 0; seq < 24; seq++) {
                int truth = (int) (seq % 18);
                int other = (truth + 1) % 18;
                producer.send(new ProducerRecord<>(topics.classifications().name(), "cam-bad",
                        event("cam-bad", seq, "c-bad", seq % 2 == 0 ? truth : other)));
                producer.send(new ProducerRecord<>(topics.shadowClassifications().name(), "cam-bad",
                        event("cam-bad", seq, "v1", truth)));
                producer.send(new ProducerRecord<>(topics.classifications().name(), "cam-good",
                        event("cam-good", seq, "c-good", truth)));
                producer.send(new ProducerRecord<>(topics.shadowClassifications().name(), "cam-good",
                        event("cam-good", seq, "v1", truth)));
            }
            producer.flush();
            long written = System.nanoTime();

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (releases.readAll(Duration.ofSeconds(30)).get("c-bad").getStatus() != ReleaseStatus.RETIRED
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            System.out.printf("judge: canary RETIRED on model-releases %d ms after its last event was written "
                    + "(evaluation just started, judge interval 300 ms)%n", (System.nanoTime() - written) / 1_000_000);
            Map<String, ModelRelease> after = releases.readAll(Duration.ofSeconds(30));
            assertThat(after.get("c-bad").getStatus()).isEqualTo(ReleaseStatus.RETIRED);
            assertThat(after.get("c-bad").getNotes()).startsWith("canary rolled back by the online evaluation: agreement "
                    + "with active v1 0.5000 over 24 frames < evaluation.canary.min.agreement 0.8000");
            assertThat(after.get("c-good").getStatus()).isEqualTo(ReleaseStatus.CANARY);
            assertThat(after.get("v1").getStatus()).isEqualTo(ReleaseStatus.ACTIVE);
            assertThat(registry.get("maskstream.evaluation.online.agreement").tag("version", "c-good").gauge().value())
                    .isEqualTo(1.0);
            assertThat(registry.get("maskstream.evaluation.judge.rollbacks").counter().count()).isEqualTo(1.0);
        }
        try (OnlineEvaluation restarted = new OnlineEvaluation(config, new SimpleMeterRegistry())) {
            long restart = System.nanoTime();
            restarted.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (restarted.quality().compare("c-bad", "v1").agreementFrames() < 24 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(restarted.quality().compare("c-bad", "v1").agreement()).as("figures restored from the changelog")
                    .isEqualTo(0.5);
            System.out.printf("judge: figures restored %d ms after the restart%n", (System.nanoTime() - restart) / 1_000_000);
            Thread.sleep(1_000); // several judgements of the same bad figures
        }
        assertThat(statusRecords(config, "c-bad")).as("one rollback, also after a restart")
                .containsExactly(ReleaseStatus.CANARY, ReleaseStatus.RETIRED);
    }

    /** Every status record {@code version} has on model-releases, in order (compaction has not run yet). */
    private static List<ReleaseStatus> statusRecords(EvaluationConfig config, String version) {
        Topic<String, ModelRelease> topic = new Topics(config).modelReleases();
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER));
        props.put("isolation.level", "read_committed");
        List<ReleaseStatus> statuses = new ArrayList<>();
        try (KafkaConsumer<String, ModelRelease> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (version.equals(r.key())) {
                        statuses.add(r.value().getStatus());
                    }
                });
            }
        }
        return statuses;
    }

    private static ModelRelease release(String version, ReleaseStatus status) {
        Instant t = Instant.now();
        return ModelRelease.newBuilder().setVersion(version).setArchitecture("fastnet-multihead").setInputWidth(96)
                .setInputHeight(128).setStatus(status).setCreatedTime(t).setStatusTime(t).setSha256("0".repeat(64))
                .setArtifactUri("kafka://judge-model-artifacts/" + version).setArtifactBytes(1).setTrainingData("test")
                .setMetrics(null).setNotes(null).setCanaryShare(status == ReleaseStatus.CANARY ? 0.5 : null).build();
    }

    private static Classification event(String camera, long seq, String version, int code) {
        Instant t = Instant.now();
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq).setCaptureTime(t).setProcessedTime(t)
                .setLatencyMs(1).setModelVersion(version)
                .setMask(MaskHead.newBuilder().setLabel(MaskState.valueOf(LabelCodec.mask(code).name())).setProbability(1f)
                        .setProbabilities(List.of(1f, 0f, 0f)).build())
                .setGender(GenderHead.newBuilder().setLabel(Gender.valueOf(LabelCodec.gender(code).name())).setProbability(1f)
                        .setProbabilities(List.of(1f, 0f)).build())
                .setAge(AgeHead.newBuilder().setLabel(AgeBand.valueOf(LabelCodec.age(code).name())).setProbability(1f)
                        .setProbabilities(List.of(1f, 0f, 0f)).build())
                .setClassCode(code).setClassProbability(1f).setBatchSize(1).setSource(null).build();
    }

    private static int totalScored(OnlineEvaluation online) {
        return online.snapshot().values().stream().mapToInt(Confusion::total).sum();
    }
}
