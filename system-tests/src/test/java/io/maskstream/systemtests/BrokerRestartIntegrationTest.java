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
import io.maskstream.model.ModelBundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

    /**
     * Our own broker for this class: besides its direct listener, an external one whose clients are told to connect
     * through {@link #network}, a relay the fetch-blip scenario cuts for new connections.
     */
    static EmbeddedKafka broker;
    static TcpProxy network;
    static Path brokerDir;

    @BeforeAll
    static void startBroker() throws Exception {
        brokerDir = java.nio.file.Files.createTempDirectory("s2-broker");
        int external = io.maskstream.embedded.Ports.free("127.0.0.1");
        network = new TcpProxy(external).start();
        broker = new EmbeddedKafka("127.0.0.1", 0, brokerDir.resolve("kafka-logs"), Map.of())
                .withExternalListener(external, "127.0.0.1:" + network.port());
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        network.close();
        broker.close();
        broker.deleteData();
    }

    static final int CAMERAS = 4;
    static final int FRAMES_PER_CAMERA = 300;
    static final double FPS = 20; // 80 frames/s in all: a 15 s stream with an 8 s outage inside it
    static final long OUTAGE_MS = 8_000;

    @Test
    void aBrokerStoppedAndRestartedMidStreamLosesNoFrameAndTheProducersResumeByThemselves(@TempDir Path dir)
            throws Exception {
        String registryUrl = SharedTestStack.get().registryUrl();
        {
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
        }
    }

    /**
     * Scenario 2b: a new active release arrives while the network lets the processor's open connections through but
     * refuses new ones, so its artifact fetch (a new consumer) cannot reach the broker. That is a passing failure, not
     * a bad release: nothing is refused, the fetch is retried with backoff while the old model keeps serving (and
     * {@code maskstream_processor_model_behind_active} says so), and the swap happens once the network is back.
     */
    @Test
    void aReleaseWhoseArtifactFetchMeetsABrokerBlipIsSwappedInOnceTheBrokerIsReachableAgain(@TempDir Path dir)
            throws Exception {
        String registryUrl = SharedTestStack.get().registryUrl();
        Map<String, String> settings = Pipelines.settings(broker.bootstrapServers(), registryUrl, "s2-fetch", dir, 2);
        settings.put(ProducersConfig.FPS, "20");
        settings.put(ProducersConfig.SYNTHETIC_WIDTH, "96");
        settings.put(ProducersConfig.SYNTHETIC_HEIGHT, "128");
        Pipelines.createTopics(settings);
        Map<String, String> viaNetwork = new java.util.HashMap<>(settings);
        viaNetwork.put(io.maskstream.runtime.config.CommonConfig.BOOTSTRAP_SERVERS, "127.0.0.1:" + network.port());
        viaNetwork.put(ProcessorConfig.MODEL_FETCH_TIMEOUT_MS, "3000");
        ProcessorConfig direct = Pipelines.processorConfig(settings);
        ProducersConfig producersConfig = Pipelines.producersConfig(settings);
        int perCamera = 400;
        List<String> expected = new ArrayList<>();
        for (int c = 1; c <= 2; c++) {
            for (int s = 0; s < perCamera; s++) {
                expected.add("cam-" + c + "/" + s);
            }
        }
        ModelBundle next = ModelBundle.untrained("fastnet", io.maskstream.model.HeadLayout.MULTI_HEAD, "v-s2-next", 12);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (EventLedger ledger = new EventLedger(broker.bootstrapServers(), registryUrl,
                Pipelines.classifications(settings), Pipelines.framesDlq(settings));
             StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(viaNetwork), meters);
             CameraPublisher cameras = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                     Cameras.synthetic(producersConfig, 2, 1, "cam-", perCamera))) {
            processor.start();
            cameras.start();
            assertThat(ledger.awaitFrames(60, Duration.ofSeconds(90))).as("stream flowing: %s", ledger).isTrue();

            network.refuseNewConnections();
            long blipStart = System.nanoTime();
            Pipelines.publishActive(direct, "v-s2-next", next.toBytes(), next.sha256());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (counter(meters, "maskstream.processor.model.fetch.retries") < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            double retriesInBlip = counter(meters, "maskstream.processor.model.fetch.retries");
            double behindInBlip = meters.get("maskstream.processor.model.behind.active").gauge().value();
            String servingInBlip = processor.models().currentVersion();
            int eventsBefore = ledger.eventCount();
            network.start();
            double blipSeconds = (System.nanoTime() - blipStart) / 1e9;
            long back = System.nanoTime();
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!"v-s2-next".equals(processor.models().currentVersion()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double swapSeconds = (System.nanoTime() - back) / 1e9;
            assertThat(cameras.awaitCompletion(Duration.ofSeconds(120))).isTrue();
            ledger.settle(expected.size(), Duration.ofSeconds(120), Duration.ofSeconds(3));
            Set<String> lost = ledger.lost(expected);
            Set<String> duplicated = ledger.duplicated();
            FaultTable.record(new FaultTable.Row("2b", String.format("new connections to the broker refused for %.0f s "
                    + "while a new release's artifact is fetched", blipSeconds), expected.size(), ledger.eventCount(),
                    ledger.deadLetterCount(), lost.size(), duplicated.size(), String.format("fetch failed and was retried "
                            + "%.0f times (no refusal; behind-active gauge %.0f, %s kept serving, %d events meanwhile); "
                            + "swapped to v-s2-next %.1f s after the network was back", retriesInBlip, behindInBlip,
                            servingInBlip, eventsBefore, swapSeconds)));

            assertThat(retriesInBlip).as("the fetch met the blip and was retried").isGreaterThanOrEqualTo(2);
            assertThat(behindInBlip).as("the gauge shows the processor behind the active release").isEqualTo(1.0);
            assertThat(servingInBlip).isEqualTo("v-s2-fetch");
            assertThat(meters.find("maskstream.processor.model.refused").counters())
                    .allSatisfy(c -> assertThat(c.count()).as("refused %s", c.getId().getTag("reason")).isZero());
            assertThat(processor.models().currentVersion()).as("swapped once the broker was reachable").isEqualTo("v-s2-next");
            assertThat(meters.get("maskstream.processor.model.behind.active").gauge().value()).isZero();
            assertThat(lost).isEmpty();
            assertThat(duplicated).isEmpty();
            Map<String, List<String>> versions = new java.util.LinkedHashMap<>();
            ledger.events().stream().sorted(java.util.Comparator.comparing(c -> c.getFrameSequence()))
                    .forEach(c -> versions.computeIfAbsent(c.getCameraId(), k -> new ArrayList<>()).add(c.getModelVersion()));
            versions.forEach((camera, list) -> {
                int first = list.indexOf("v-s2-next");
                assertThat(first).as("camera %s switched", camera).isPositive();
                assertThat(list.subList(first, list.size())).containsOnly("v-s2-next");
            });
        }
    }

    private static double counter(SimpleMeterRegistry meters, String name) {
        return meters.find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private static long acknowledged(CameraPublisher cameras) {
        return cameras.stats().stream().mapToLong(CameraStats::acknowledged).sum();
    }

    private static long published(CameraPublisher cameras) {
        return cameras.stats().stream().mapToLong(CameraStats::published).sum();
    }
}
