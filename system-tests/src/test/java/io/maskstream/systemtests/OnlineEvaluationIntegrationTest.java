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
import io.maskstream.runtime.config.ConfigSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A labelled replay with {@code producers.labeled.also.frames}: every photo goes to labeled-frames with its label and
 * to frames without it; the live processor classifies the frames, and online evaluation joins each event with its
 * label and scores the live model version over exactly the photos replayed. The drift monitor the service starts
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

    private static int totalScored(OnlineEvaluation online) {
        return online.snapshot().values().stream().mapToInt(Confusion::total).sum();
    }
}
