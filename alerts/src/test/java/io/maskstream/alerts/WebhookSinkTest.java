package io.maskstream.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.maskstream.events.Alert;
import io.maskstream.events.AlertKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook sink against a real HTTP server on loopback: retries, give-ups, a full queue, a hanging receiver. */
class WebhookSinkTest {

    static final String SECRET = "whsec-test-0123456789";

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final AlertsMetrics metrics = new AlertsMetrics(meters);
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> alertIdHeaders = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> timestamps = new CopyOnWriteArrayList<>();
    final List<String> signatures = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    HttpServer server;
    WebhookSink sink;

    URI serve(IntSupplier status, boolean hang) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", (HttpExchange ex) -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            alertIdHeaders.add(ex.getRequestHeaders().getFirst("X-Maskstream-Alert-Id"));
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            timestamps.add(String.valueOf(ex.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER)));
            signatures.add(String.valueOf(ex.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER)));
            if (hang) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.sendResponseHeaders(status.getAsInt(), -1);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-webhook");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    WebhookSink sink(URI url, int attempts, int queue) {
        sink = new WebhookSink(new WebhookSink.Settings(url, Optional.of("Bearer t0ken"), Optional.of(SECRET), attempts, Duration.ofMillis(10),
                Duration.ofMillis(40), Duration.ofSeconds(2), queue), metrics);
        sink.start();
        return sink;
    }

    static Alert alert(String camera, long first) {
        return Alert.newBuilder().setAlertId(camera + "/NO_MASK/" + first).setCameraId(camera).setKind(AlertKind.NO_MASK)
                .setFirstFrameSequence(first).setLastFrameSequence(first + 4)
                .setFirstCaptureTime(Instant.parse("2024-05-01T09:00:00Z"))
                .setLastCaptureTime(Instant.parse("2024-05-01T09:00:00.132Z"))
                .setRaisedTime(Instant.parse("2024-05-01T09:00:00.250Z"))
                .setMatchingFrames(5).setWindowFrames(10).setPeakConfidence(0.96875f).setModelVersion("v3").build();
    }

    double count(String name) {
        return meters.counter(name).count();
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (sink != null) {
            sink.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void retriesWithBackoffUntilTheWebhookTakesTheAlertAsJson() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI url = serve(() -> calls.incrementAndGet() <= 2 ? 503 : 204, false);
        AtomicInteger done = new AtomicInteger();
        assertThat(sink(url, 5, 10).offer(alert("cam-1", 17), done::incrementAndGet)).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 1);
        assertThat(count(AlertsMetrics.WEBHOOK_DELIVERED)).isEqualTo(1.0);
        assertThat(count(AlertsMetrics.WEBHOOK_FAILED)).isZero();
        assertThat(bodies).hasSize(3);
        assertThat(alertIdHeaders).containsOnly("cam-1/NO_MASK/17");
        assertThat(authorizations).containsOnly("Bearer t0ken");
        // every attempt is signed; the receiver's check passes for each, and fails for a wrong secret
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i).getBytes(StandardCharsets.UTF_8);
            assertThat(signatures.get(i)).matches("v1=[0-9a-f]{64}");
            assertThat(WebhookSignature.verify(SECRET, timestamps.get(i), signatures.get(i), body, Instant.now(),
                    WebhookSignature.DEFAULT_TOLERANCE)).as("attempt %d verifies", i + 1).isTrue();
            assertThat(WebhookSignature.verify("other-secret", timestamps.get(i), signatures.get(i), body, Instant.now(),
                    WebhookSignature.DEFAULT_TOLERANCE)).isFalse();
        }
        JsonNode json = new ObjectMapper().readTree(bodies.get(0));
        assertThat(json.get("alertId").asText()).isEqualTo("cam-1/NO_MASK/17");
        assertThat(json.get("cameraId").asText()).isEqualTo("cam-1");
        assertThat(json.get("kind").asText()).isEqualTo("NO_MASK");
        assertThat(json.get("firstFrameSequence").asLong()).isEqualTo(17);
        assertThat(json.get("lastFrameSequence").asLong()).isEqualTo(21);
        assertThat(json.get("firstCaptureTime").asText()).isEqualTo("2024-05-01T09:00:00Z");
        assertThat(json.get("lastCaptureTime").asText()).isEqualTo("2024-05-01T09:00:00.132Z");
        assertThat(json.get("raisedTime").asText()).isEqualTo("2024-05-01T09:00:00.250Z");
        assertThat(json.get("matchingFrames").asInt()).isEqualTo(5);
        assertThat(json.get("windowFrames").asInt()).isEqualTo(10);
        assertThat(json.get("peakConfidence").asDouble()).isEqualTo(0.96875);
        assertThat(json.get("modelVersion").asText()).isEqualTo("v3");
        assertThat(json.size()).isEqualTo(12);
    }

    @Test
    void aDeadWebhookCountsTheAlertAsFailedAfterTheLastAttempt() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        AtomicInteger done = new AtomicInteger();
        sink(URI.create("http://127.0.0.1:" + closedPort + "/hook"), 3, 10).offer(alert("cam-1", 0), done::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 1);
        assertThat(count(AlertsMetrics.WEBHOOK_FAILED)).isEqualTo(1.0);
        assertThat(count(AlertsMetrics.WEBHOOK_DELIVERED)).isZero();
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        AtomicInteger done = new AtomicInteger();
        sink(serve(() -> 400, false), 5, 10).offer(alert("cam-1", 0), done::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 1);
        assertThat(bodies).hasSize(1);
        assertThat(count(AlertsMetrics.WEBHOOK_FAILED)).isEqualTo(1.0);
    }

    @Test
    void aFullQueueRefusesAnAlertWithoutWaiting() throws Exception {
        WebhookSink s = sink(serve(() -> 200, true), 1, 2);
        assertThat(s.offer(alert("cam-1", 0), () -> { })).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 1); // in flight, receiver hangs
        assertThat(s.offer(alert("cam-1", 100), () -> { })).isTrue(); // waits in the queue
        assertThat(s.offer(alert("cam-1", 200), () -> { })).isTrue();
        assertThat(s.offer(alert("cam-1", 300), () -> { })).as("not taken: the caller offers it again").isFalse();
        assertThat(meters.get(AlertsMetrics.WEBHOOK_QUEUE_SIZE).gauge().value()).isEqualTo(2.0);
    }

    @Test
    void closeReturnsWhileTheWebhookHangsAndDoesNotCountTheAbandonedAlert() throws Exception {
        WebhookSink s = sink(serve(() -> 200, true), 3, 10);
        AtomicInteger done = new AtomicInteger();
        s.offer(alert("cam-1", 0), done::incrementAndGet);
        s.offer(alert("cam-1", 100), done::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 1);
        assertTimeoutPreemptively(Duration.ofSeconds(15), s::close);
        assertThat(done.get()).isZero();
        assertThat(count(AlertsMetrics.WEBHOOK_FAILED) + count(AlertsMetrics.WEBHOOK_DELIVERED)).isZero();
        assertThat(meters.find(AlertsMetrics.WEBHOOK_QUEUE_SIZE).gauge()).isNull();
    }

    @Test
    void backoffDoublesUpToItsCap() throws Exception {
        WebhookSink s = new WebhookSink(new WebhookSink.Settings(URI.create("http://127.0.0.1:1/"), Optional.empty(), Optional.empty(), 10,
                Duration.ofMillis(100), Duration.ofMillis(1000), Duration.ofSeconds(1), 1), metrics);
        try {
            assertThat(List.of(s.backoff(1), s.backoff(2), s.backoff(3), s.backoff(4), s.backoff(5), s.backoff(40)))
                    .containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
        } finally {
            s.close();
        }
    }
}
