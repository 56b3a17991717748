package io.maskstream.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code /metrics} serves passes {@code promtool check metrics} (Debian package {@code prometheus}) with
 * no error and no lint problem, for every kind of meter the services register and the standard JVM meters.
 */
class PromtoolCheckTest {

    static Path promtool() {
        String configured = System.getProperty("maskstream.promtool", System.getenv("PROMTOOL"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")), Stream.of("/usr/bin"))
                .filter(d -> !d.isBlank()).map(d -> Path.of(d, "promtool")).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("promtool not found: install the Debian package 'prometheus' "
                        + "(or set PROMTOOL=/path/to/promtool)"));
    }

    static PrometheusMeterRegistry registryWithEveryKindOfMeter() {
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        Meters.standard(registry);
        for (String camera : List.of("cam-1", "cam-2")) {
            Counter.builder("maskstream.processor.frames.in").description("Frames read from the frames topic")
                    .tag("camera", camera).register(registry).increment(42);
        }
        Counter.builder("maskstream.processor.dead.letters").description("Frames sent to the dead-letter topic")
                .tag("reason", "CORRUPT_IMAGE").register(registry).increment();
        Timer percentiles = Timer.builder("maskstream.processor.inference").description("Inference time per batch")
                .publishPercentiles(0.5, 0.99).register(registry);
        Timer histogram = Timer.builder("maskstream.processor.latency").description("Frame capture to event latency")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        Timer slo = Timer.builder("maskstream.processor.decode").description("Decode time per frame")
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(20)).tag("format", "jpeg").register(registry);
        for (int i = 1; i <= 100; i++) {
            percentiles.record(Duration.ofMillis(i));
            histogram.record(Duration.ofMillis(10L * i));
            slo.record(Duration.ofMillis(i % 30));
        }
        DistributionSummary batch = DistributionSummary.builder("maskstream.processor.batch.size")
                .description("Frames per inference batch").baseUnit("frames").publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(256.0).register(registry);
        batch.record(8);
        batch.record(32);
        AtomicLong lag = new AtomicLong(17);
        Gauge.builder("maskstream.processor.consumer.lag", lag, AtomicLong::get).description("Records behind the end")
                .tag("partition", "0").baseUnit("records").register(registry);
        Gauge.builder("maskstream.processor.model.active", () -> 1).description("1 for the model version being served")
                .tag("version", "fastnet-2024-05-01").register(registry);
        FunctionCounter.builder("maskstream.processor.swaps", lag, l -> 2).description("Model swaps")
                .register(registry);
        TimeGauge.builder("maskstream.processor.model.age", lag, TimeUnit.SECONDS, l -> 3600)
                .description("Age of the active model").register(registry);
        LongTaskTimer.builder("maskstream.trainer.epoch").description("Training epochs running").register(registry);
        return registry;
    }

    @Test
    void metricsEndpointOutputPassesPromtoolCheckMetrics() throws Exception {
        Path promtool = promtool();
        PrometheusMeterRegistry registry = registryWithEveryKindOfMeter();
        try (MetricsServer server = new MetricsServer("127.0.0.1", 0, registry, () -> true)) {
            server.start();
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            String exposition = response.body();
            assertThat(exposition).contains("maskstream_processor_latency_seconds_bucket",
                    "maskstream_processor_inference_seconds{quantile=\"0.99\"", "maskstream_processor_frames_in_total",
                    "maskstream_process_resident_memory_bytes", "maskstream_process_native_memory_bytes",
                    "jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                    "process_cpu_usage");

            Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(exposition.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            String problems = output.get(10, TimeUnit.SECONDS);
            assertThat(problems).as("promtool check metrics output").isBlank();
            assertThat(p.exitValue()).as("promtool exit code; output:%n%s", problems).isZero();
        } finally {
            registry.close();
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "cannot read promtool output: " + e;
        }
    }
}
