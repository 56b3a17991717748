package io.maskstream.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.runtime.config.ClusterConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    MetricsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        registry.close();
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesMetricsLivenessAndReadinessOnAFreeLoopbackPort() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        Counter.builder("maskstream.test.frames.in").description("Frames in").tag("camera", "cam-1")
                .register(registry).increment(3);
        server = new MetricsServer(new ClusterConfig(ConfigSource.empty()), registry, ready::get);
        server.start();

        assertThat(server.port()).isPositive();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(503);
        ready.set(true);
        assertThat(get("/ready").statusCode()).isEqualTo(200);

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue(MetricsServer.TEXT_004);
        assertThat(metrics.body()).contains("# TYPE maskstream_test_frames_in_total counter")
                .contains("maskstream_test_frames_in_total{camera=\"cam-1\"} 3.0");

        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void servesOpenMetricsWhenTheScraperAsksForIt() throws Exception {
        server = new MetricsServer("127.0.0.1", 0, registry, () -> true);
        server.start();
        HttpResponse<String> r = get("/metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsServer.OPENMETRICS_100);
        assertThat(r.body()).endsWith("# EOF\n");
    }

    @Test
    void aReadinessCheckThatThrowsMeansNotReady() throws Exception {
        server = new MetricsServer("127.0.0.1", 0, registry, () -> {
            throw new IllegalStateException("streams not created yet");
        });
        server.start();
        assertThat(get("/ready").statusCode()).isEqualTo(503);
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void portMinusOneDisablesTheEndpoint() throws Exception {
        server = new MetricsServer(new ClusterConfig(ConfigSource.of(Map.of("metrics.port", "-1"))), registry, () -> true);
        server.start();
        assertThat(server.enabled()).isFalse();
        assertThat(server.port()).isEqualTo(-1);
        assertThat(server.url()).isEmpty();
    }

    @Test
    void closeReleasesThePortAndIsIdempotent() throws Exception {
        server = new MetricsServer("127.0.0.1", 0, registry, () -> true);
        server.start();
        String url = server.url();
        server.close();
        server.close();
        assertThat(server.port()).isEqualTo(-1);
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOfAny(ConnectException.class, IOException.class);
    }
}
