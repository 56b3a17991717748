package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.app.Main;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
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
            // The processor replaces a stream thread that failed on the missing registry; the new thread joins the group
            // as a new member, and the rebalance waits until the dead thread's member is evicted (Streams' consumers do
            // not leave the group on close): the session timeout, 45 s by default. 6 s is the broker's minimum.
            settings.put("kafka.streams.session.timeout.ms", "6000");
            settings.put("kafka.streams.heartbeat.interval.ms", "1500");
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
                                        + "resolve the frame schema id: %d stream-thread failure(s), thread replaced, "
                                        + "nothing dead-lettered; first event %.1f s after the registry was back "
                                        + "(session timeout 6 s)", publishedInOutage, failuresInOutage, resumeSeconds)));

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

    private static long threadFailures(LogCapture logs) {
        return logs.lines().stream().filter(l -> l.contains("Stream thread failed; replacing it")).count();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
