package io.maskstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack command as a user runs it, in its own JVM: it brings up a real broker and registry and the
 * topics, and Ctrl-C (SIGTERM) or even SIGKILL leaves no process running and no port bound.
 */
class StackProcessIntegrationTest {

    private static final Pattern UP = Pattern.compile("bootstrap.servers=(\\S+):(\\d+) schema.registry.url=http://([^:]+):(\\d+)/");

    record Started(Process process, int kafkaPort, int registryPort, List<ProcessHandle> tree) {
    }

    static Started startStack(Path dataDir, String... extra) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        java.util.List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx1g", "-cp",
                System.getProperty("maskstream.app.classpath"), "io.maskstream.app.Main", "stack",
                "--set", "stack.kafka.port=0", "--set", "stack.registry.port=0", "--set", "stack.data.dir=" + dataDir));
        cmd.addAll(List.of(extra.length == 0 ? new String[] {"--infrastructure-only"} : extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(Map.of("MALLOC_MMAP_THRESHOLD_", "268435456", "MALLOC_TRIM_THRESHOLD_", "536870912"));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Matcher> up = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = UP.matcher(line);
                    if (m.find()) {
                        // keep draining so the child never blocks on a full pipe
                        new Thread(() -> out.lines().forEach(l -> { })).start();
                        return m;
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                return null;
            }
        });
        Matcher m = up.get(180, TimeUnit.SECONDS);
        assertThat(m).as("stack printed its addresses").isNotNull();
        return new Started(p, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(4)),
                new ArrayList<>(p.descendants().toList()));
    }

    @Test
    void stackComesUpWithTopicsAndCtrlCLeavesNothingRunningOrBound(@TempDir Path dir) throws Exception {
        Started s = startStack(dir);
        assertThat(s.tree()).as("the registry runs as a child process").isNotEmpty();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + s.kafkaPort()))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains("frames", "labeled-frames", "classifications", "alerts", "model-releases", "model-artifacts",
                            "frames-dlq");
        }
        s.process().destroy(); // SIGTERM, what Ctrl-C does to the JVM
        assertThat(s.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertNothingLeft(s);
    }

    @Test
    void theWholeStackClassifiesServesPromtoolCleanMetricsAndADashboardThenStopsCleanly(@TempDir Path dir) throws Exception {
        int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            metricsPort = free.getLocalPort();
        }
        Started s = startStack(dir, "--set", "metrics.port=" + metricsPort, "--set", "dashboard.port=0",
                "--set", "stack.cameras=2", "--set", "producers.fps=5");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + metricsPort;
        String metrics = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/ready")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (ready.statusCode() == 200 && metrics.matches("(?s).*maskstream_processor_events_out_total [1-9].*")) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(metrics).contains("maskstream_processor_events_out_total", "maskstream_processor_latency_seconds",
                "maskstream_processor_batch_size", "maskstream_processor_dead_letters_total", "maskstream_alerts_webhook_failed_total",
                "maskstream_processor_model_active", "maskstream_process_resident_memory_bytes", "jvm_memory_used_bytes",
                "kafka_consumer_fetch_manager_records_lag");
        assertThat(metrics).matches("(?s).*maskstream_processor_events_out_total [1-9].*");
        Path file = dir.resolve("metrics.txt");
        java.nio.file.Files.writeString(file, metrics);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as("promtool check metrics: %s", lint).isZero();

        s.process().destroy();
        assertThat(s.process().waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertNothingLeft(s);
        assertThat(listening(metricsPort)).isFalse();
    }

    @Test
    void evenSigkillOfTheStackLeavesNoRegistryBehind(@TempDir Path dir) throws Exception {
        Started s = startStack(dir);
        s.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertNothingLeft(s);
    }

    private static void assertNothingLeft(Started s) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && (s.tree().stream().anyMatch(ProcessHandle::isAlive)
                || listening(s.kafkaPort()) || listening(s.registryPort()))) {
            Thread.sleep(200);
        }
        assertThat(s.tree().stream().filter(ProcessHandle::isAlive).map(h -> h.pid() + " " + h.info().command().orElse("")))
                .as("processes left running").isEmpty();
        assertThat(listening(s.kafkaPort())).as("kafka port still bound").isFalse();
        assertThat(listening(s.registryPort())).as("registry port still bound").isFalse();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
