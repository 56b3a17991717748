package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.EmbeddedKafka;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraStats;
import io.maskstream.producers.Cameras;
import io.maskstream.producers.ProducersConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 2: the broker (our own, not the shared one) is stopped mid-stream and started again on the same port
 * with its data, while synthetic cameras and the processor keep running in this JVM. The cameras' idempotent
 * producer holds the frames it could not send and delivers them when the broker is back, by itself; the processor
 * resumes; every frame has exactly one event.
 *
 * <p>Client settings: none changed. The defaults are generous enough for an outage of seconds: while the broker is
 * away a camera's {@code send()} waits for metadata (up to {@code max.block.ms}, 60 s) and its pacing skips the ticks
 * it misses; a frame already handed over waits up to {@code delivery.timeout.ms} (120 s); Kafka Streams tolerates
 * {@code task.timeout.ms} (300 s) of stalled tasks; every client reconnects within {@code reconnect.backoff.max.ms}
 * (1 s). An outage longer than a minute needs {@code kafka.producer.max.block.ms} and {@code
 * kafka.producer.delivery.timeout.ms} raised, or numbered frames fail to send (counted as failed, a gap in the
 * camera's sequence).
 */
class BrokerRestartIntegrationTest {

    static final int CAMERAS = 4;
    static final int FRAMES_PER_CAMERA = 300;
    static final double FPS = 20; // 80 frames/s in all: a 15 s stream with an 8 s outage inside it
    static final long OUTAGE_MS = 8_000;

    @Test
    void aBrokerStoppedAndRestartedMidStreamLosesNoFrameAndTheProducersResumeByThemselves(@TempDir Path dir)
            throws Exception {
        String registryUrl = SharedTestStack.get().registryUrl();
        EmbeddedKafka broker = new EmbeddedKafka("127.0.0.1", 0, dir.resolve("kafka-logs"), Map.of());
        broker.start();
        try {
            Map<String, String> settings = Pipelines.settings(broker.bootstrapServers(), registryUrl, "s2-broker", dir, 3);
            settings.put(ProducersConfig.FPS, String.valueOf(FPS));
            settings.put(ProducersConfig.SYNTHETIC_WIDTH, "96");
            settings.put(ProducersConfig.SYNTHETIC_HEIGHT, "128");
            Pipelines.createTopics(settings);
            ProducersConfig producersConfig = Pipelines.producersConfig(settings);

            List<String> expected = new ArrayList<>();
            for (int c = 1; c <= CAMERAS; c++) {
                for (int s = 0; s < FRAMES_PER_CAMERA; s++) {
                    expected.add("cam-" + c + "/" + s);
                }
            }
            try (EventLedger ledger = new EventLedger(broker.bootstrapServers(), registryUrl,
                    Pipelines.classifications(settings), Pipelines.framesDlq(settings));
                 StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(settings),
                         new SimpleMeterRegistry());
                 CameraPublisher cameras = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                         Cameras.synthetic(producersConfig, CAMERAS, 1, "cam-", FRAMES_PER_CAMERA))) {
                processor.start();
                cameras.start();
                assertThat(ledger.awaitFrames(150, Duration.ofSeconds(90))).as("stream flowing: %s", ledger).isTrue();

                broker.close(); // a controlled shutdown: what was in flight is acknowledged before it returns
                long acknowledgedAtStop = acknowledged(cameras);
                System.out.printf("broker stopped at %d frames acknowledged, %d classified%n", acknowledgedAtStop,
                        ledger.framesSeen());
                Thread.sleep(OUTAGE_MS);
                long publishedInOutage = published(cameras) - acknowledgedAtStop;
                assertThat(acknowledged(cameras)).as("nothing acknowledged while the broker is down")
                        .isEqualTo(acknowledgedAtStop);
                broker.start();
                long restarted = System.nanoTime();
                while (acknowledged(cameras) == acknowledgedAtStop && System.nanoTime() - restarted < 60e9) {
                    Thread.sleep(50);
                }
                double resumeSeconds = (System.nanoTime() - restarted) / 1e9;
                System.out.printf("broker back; %d frames captured during the outage; producers resumed %.1f s later%n",
                        publishedInOutage, resumeSeconds);

                assertThat(cameras.awaitCompletion(Duration.ofSeconds(150))).as("cameras done").isTrue();
                ledger.settle(expected.size(), Duration.ofSeconds(180), Duration.ofSeconds(3));
                List<CameraStats> stats = cameras.stats();
                long published = stats.stream().mapToLong(CameraStats::published).sum();
                Set<String> lost = ledger.lost(expected);
                Set<String> duplicated = ledger.duplicated();
                FaultTable.record(new FaultTable.Row("2", "broker stopped 8 s mid-stream, restarted with its data",
                        published, ledger.eventCount(), ledger.deadLetterCount(), lost.size(), duplicated.size(),
                        String.format("cameras waited in send() for metadata while it was down (ticks skipped); the "
                                + "%d frames numbered then were delivered after it; producers resumed %.1f s after the "
                                + "restart; no client setting changed", publishedInOutage, resumeSeconds)));

                assertThat(stats).allSatisfy(s -> {
                    assertThat(s.published()).isEqualTo(FRAMES_PER_CAMERA);
                    assertThat(s.acknowledged()).isEqualTo(FRAMES_PER_CAMERA);
                    assertThat(s.rejected() + s.failed()).isZero();
                    assertThat(s.failure()).isNull();
                });
                assertThat(publishedInOutage).as("frames were captured during the outage").isPositive();
                assertThat(lost).as("frames with no event").isEmpty();
                assertThat(duplicated).as("frames with more than one event").isEmpty();
                assertThat(ledger.unexpected(expected)).isEmpty();
                assertThat(ledger.deadLetterCount()).isZero();
                assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(processor.models().currentVersion()).isEqualTo("v-s2-broker");
            }
        } finally {
            broker.close();
            broker.deleteData();
        }
    }

    private static long acknowledged(CameraPublisher cameras) {
        return cameras.stats().stream().mapToLong(CameraStats::acknowledged).sum();
    }

    private static long published(CameraPublisher cameras) {
        return cameras.stats().stream().mapToLong(CameraStats::published).sum();
    }
}
