package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.app.Main;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraStats;
import io.maskstream.producers.Cameras;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Scenario 3: the schema registry unreachable. At start, every service refuses to start with a message naming
 * the registry URL. Mid-run, nothing is lost: the registry is not restarted (Apicurio keeps its schemas in memory,
 * a restart would forget the ids), it is cut off behind TCP proxies of our own, one for the processor and one for
 * the cameras, so their schema caches stay apart and the processor really has to fetch an unknown id while the
 * registry is gone.
 */
class RegistryOutageIntegrationTest {

    @Test
    void servicesRefuseToStartWhenTheRegistryIsUnreachableAndNameItsUrl(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "s3-start", dir, 1);
        Pipelines.createTopics(settings); // with the registry up: the start must fail on the registry, not on topics
        String deadUrl = "http://127.0.0.1:" + closedPort() + "/apis/ccompat/v7";
        settings.put(CommonConfig.SCHEMA_REGISTRY_URL, deadUrl);

        List<String> messages = new ArrayList<>();
        StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(settings),
                new SimpleMeterRegistry());
        assertThatThrownBy(processor::start).hasMessageContaining(deadUrl).hasMessageContaining("unreachable")
                .satisfies(e -> messages.add("processor: " + e.getMessage()));
        processor.close();

        ProducersConfig producersConfig = Pipelines.producersConfig(settings);
        CameraPublisher cameras = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                Cameras.synthetic(producersConfig, 1, 0, "cam-", 10));
        assertThatThrownBy(cameras::start).hasMessageContaining(deadUrl).hasMessageContaining("unreachable")
                .satisfies(e -> messages.add("cameras: " + e.getMessage()));
        cameras.close();

        Map<String, String> alertsSettings = new HashMap<>(settings);
        alertsSettings.put(AlertsConfig.APPLICATION_ID, "s3-start-alerts");
        alertsSettings.put(AlertsConfig.STATE_DIR, dir.resolve("alerts-state").toString());
        AlertsService alerts = new AlertsService(new AlertsConfig(ConfigSource.of(alertsSettings)), new SimpleMeterRegistry());
        assertThatThrownBy(alerts::start).hasMessageContaining(deadUrl).hasMessageContaining("unreachable");
        alerts.close();

        // What an operator sees: the command exits 1 with one line naming the URL.
        Path config = Pipelines.writeConfig(settings, dir.resolve("dead-registry.properties"));
        for (String[] args : List.of(new String[] {"process", "--config", config.toString()},
                new String[] {"camera", "synthetic", "--config", config.toString(), "--frames", "5"})) {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute(args);
            assertThat(exit).as("exit code of maskstream %s", args[0]).isEqualTo(1);
            assertThat(err.toString()).as("stderr of maskstream %s", args[0]).contains(deadUrl).contains("unreachable");
            messages.add("maskstream " + args[0] + " (exit 1): " + err.toString().strip());
        }
        messages.forEach(m -> System.out.println("refused: " + m));
        FaultTable.record(new FaultTable.Row("3a", "schema registry unreachable at start", 0, 0, 0, 0, 0,
                "processor, cameras, alerts, `maskstream process` and `maskstream camera` refuse to start: \""
                        + messages.get(0).substring("processor: ".length()) + "\""));
    }

    @Test
    void aRegistryUnreachableMidRunLosesNoFrameOnceItIsBack(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        int registryPort = URI.create(stack.registryUrl()).getPort();
        String path = URI.create(stack.registryUrl()).getPath();
        int perCamera = 200;
        try (TcpProxy forProcessor = new TcpProxy(registryPort).start();
             TcpProxy forCameras = new TcpProxy(registryPort).start();
             LogCapture logs = new LogCapture()) {
            Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "s3-midrun", dir, 2);
            settings.put(ProducersConfig.FPS, "20");
            settings.put(ProducersConfig.SYNTHETIC_WIDTH, "96");
            settings.put(ProducersConfig.SYNTHETIC_HEIGHT, "128");
            // Default group settings: the processor restarts its Kafka Streams client after a stream thread failed on
            // the missing registry, and the new client's static members take their partitions back at once.
            Pipelines.createTopics(settings);
            Map<String, String> processorSettings = new HashMap<>(settings);
            processorSettings.put(CommonConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + forProcessor.port() + path);
            Map<String, String> cameraSettings = new HashMap<>(settings);
            cameraSettings.put(CommonConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + forCameras.port() + path);
            ProducersConfig producersConfig = Pipelines.producersConfig(cameraSettings);
            List<String> expected = new ArrayList<>();
            for (int c = 1; c <= 3; c++) {
                for (int s = 0; s < perCamera; s++) {
                    expected.add("cam-" + c + "/" + s);
                }
            }

            try (EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                    Pipelines.classifications(settings), Pipelines.framesDlq(settings));
                 StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(processorSettings),
                         new SimpleMeterRegistry());
                 CameraPublisher cameras = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                         Cameras.synthetic(producersConfig, 3, 1, "cam-", perCamera))) {
                processor.start();            // registry reachable: it starts
                forProcessor.stop();          // ...and loses it before it has seen a single frame
                cameras.start();              // registers the frame schema through its own proxy
                forCameras.stop();            // now nobody reaches the registry
                long outageStart = System.nanoTime();
                Thread.sleep(6_000);
                // at least until the processor has met the outage (a slow machine may take longer to get there)
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (threadFailures(logs) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                long publishedInOutage = cameras.stats().stream().mapToLong(CameraStats::published).sum();
                int outcomesInOutage = ledger.framesSeen();
                long failuresInOutage = threadFailures(logs);
                forProcessor.start();
                forCameras.start();
                double outageSeconds = (System.nanoTime() - outageStart) / 1e9;
                System.out.printf("registry back after %.1f s: %d frames published meanwhile, %d outcomes, %d stream "
                        + "thread failures%n", outageSeconds, publishedInOutage, outcomesInOutage, failuresInOutage);

                assertThat(ledger.awaitFrames(1, Duration.ofSeconds(120))).as("processing resumed").isTrue();
                double resumeSeconds = (System.nanoTime() - outageStart) / 1e9 - outageSeconds;
                assertThat(cameras.awaitCompletion(Duration.ofSeconds(120))).isTrue();
                ledger.settle(expected.size(), Duration.ofSeconds(180), Duration.ofSeconds(3));
                List<CameraStats> stats = cameras.stats();
                Set<String> lost = ledger.lost(expected);
                Set<String> duplicated = ledger.duplicated();
                FaultTable.record(new FaultTable.Row("3b", String.format("schema registry unreachable mid-run (%.0f s, TCP proxy cut)", outageSeconds),
                        stats.stream().mapToLong(CameraStats::published).sum(), ledger.eventCount(),
                        ledger.deadLetterCount(), lost.size(), duplicated.size(), String.format(
                                "%d frames published during the outage (schema ids cached); the processor could not "
                                        + "resolve the frame schema id: %d stream-thread failure(s), Streams client "
                                        + "restarted, nothing dead-lettered; first event %.1f s after the registry was back "
                                        + "(default session timeout)", publishedInOutage, failuresInOutage, resumeSeconds)));

                assertThat(publishedInOutage).as("the cameras kept publishing without the registry").isPositive();
                assertThat(outcomesInOutage).as("nothing classified nor dead-lettered without the registry").isZero();
                assertThat(failuresInOutage).as("the processor did meet the outage").isPositive();
                assertThat(stats).allSatisfy(s -> {
                    assertThat(s.published()).isEqualTo(perCamera);
                    assertThat(s.acknowledged()).isEqualTo(perCamera);
                    assertThat(s.rejected() + s.failed()).isZero();
                });
                assertThat(lost).as("frames with no event").isEmpty();
                assertThat(duplicated).as("frames with more than one event").isEmpty();
                assertThat(ledger.unexpected(expected)).isEmpty();
                assertThat(ledger.deadLetterCount()).as("no frame blamed for the registry's absence").isZero();
                assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        }
    }

    /**
     * Scenario 3c: frames wait in the processor's buffer store when it stops; it starts again while the registry is
     * cut off, so the frames it restores from the store cannot be decoded. They must not be blamed: restoring fails the
     * task as the live path would, the client is restarted (backing off) until the registry is back, and every frame
     * then has exactly one event, none a dead letter.
     */
    @Test
    void framesRestoredFromTheBufferWhileTheRegistryIsUnreachableAreNotDeadLettered(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        int registryPort = URI.create(stack.registryUrl()).getPort();
        String path = URI.create(stack.registryUrl()).getPath();
        int frames = 60;
        try (TcpProxy first = new TcpProxy(registryPort).start();
             TcpProxy second = new TcpProxy(registryPort).start();
             LogCapture logs = new LogCapture()) {
            Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "s3-restore", dir, 2);
            Pipelines.createTopics(settings);
            // The first instance never infers (huge batches, a minute's deadline): every frame stays in its buffer.
            Map<String, String> buffering = new HashMap<>(settings);
            buffering.put(CommonConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + first.port() + path);
            buffering.put(ProcessorConfig.MAX_BATCH_SIZE, "1024");
            buffering.put(ProcessorConfig.MAX_BATCH_DELAY_MS, "60000");
            // The second reaches the registry through its own proxy, so no schema it resolves is cached yet.
            Map<String, String> restoring = new HashMap<>(settings);
            restoring.put(CommonConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + second.port() + path);
            List<byte[]> images = Pipelines.faces(frames, 96, 128, 3);
            List<String> expected = new ArrayList<>();
            try (EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                    Pipelines.classifications(settings), Pipelines.framesDlq(settings))) {
                SimpleMeterRegistry bufferingMeters = new SimpleMeterRegistry();
                try (StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(buffering),
                        bufferingMeters);
                     var producer = Pipelines.frameProducer(stack.bootstrapServers(), stack.registryUrl(), Map.of())) {
                    processor.start();
                    for (int i = 0; i < frames; i++) {
                        String camera = "cam-" + (i % 4);
                        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Pipelines.frames(settings), camera,
                                Pipelines.frame(camera, i / 4, images.get(i))));
                        expected.add(camera + "/" + (i / 4));
                    }
                    producer.flush();
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (bufferingMeters.get("maskstream.processor.frames.in").counter().count() < frames
                            && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    assertThat(ledger.framesSeen()).as("nothing classified by the buffering instance").isZero();
                } // a clean stop: the buffered frames stay in the store's changelog
                int restartsBefore = clientRestarts(logs);
                StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(restoring),
                        new SimpleMeterRegistry());
                try {
                    Thread starting = new Thread(() -> {
                        try {
                            processor.start();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, "restoring-processor-start");
                    starting.start();
                    // start() checks the registry first, then loads the model, then starts Streams: cut it in between
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (logs.lines().stream().filter(l -> l.contains("Loaded model v-s3-restore") && l.contains(" from "))
                            .count() < 2 && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    second.stop();
                    long cut = System.nanoTime();
                    starting.join(60_000);
                    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (clientRestarts(logs) - restartsBefore < 1 && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    Thread.sleep(5_000);
                    int outcomesInOutage = ledger.framesSeen();
                    int failuresInOutage = clientRestarts(logs) - restartsBefore;
                    second.start();
                    double outageSeconds = (System.nanoTime() - cut) / 1e9;
                    ledger.settle(frames, Duration.ofSeconds(120), Duration.ofSeconds(3));
                    double resumeSeconds = (System.nanoTime() - cut) / 1e9 - outageSeconds;
                    Set<String> lost = ledger.lost(expected);
                    Set<String> duplicated = ledger.duplicated();
                    FaultTable.record(new FaultTable.Row("3c", String.format(
                            "restart with %d frames in the buffer store while the registry is unreachable (%.0f s)", frames,
                            outageSeconds), frames, ledger.eventCount(), ledger.deadLetterCount(), lost.size(),
                            duplicated.size(), String.format("restoring the buffer failed the task %d time(s) (Streams "
                                    + "client restarted, backing off), nothing dead-lettered; all %d frames classified "
                                    + "%.1f s after the registry was back", failuresInOutage, frames, resumeSeconds)));

                    assertThat(outcomesInOutage).as("no outcome while the registry is away").isZero();
                    assertThat(failuresInOutage).as("the restore did meet the outage").isPositive();
                    assertThat(lost).isEmpty();
                    assertThat(duplicated).isEmpty();
                    assertThat(ledger.deadLetterCount()).as("no frame blamed for the registry's absence").isZero();
                    assertThat(logs.lines()).as("the restore said it classifies the frames it found")
                            .anyMatch(l -> l.contains("frames were buffered but not classified before the last stop"));
                } finally {
                    processor.close();
                }
            }
        }
    }

    private static int clientRestarts(LogCapture logs) {
        return (int) threadFailures(logs);
    }

    private static long threadFailures(LogCapture logs) {
        return logs.lines().stream().filter(l -> l.contains("stream thread failed; restarting the Kafka Streams client"))
                .count();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
