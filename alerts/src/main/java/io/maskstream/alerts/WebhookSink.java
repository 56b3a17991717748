package io.maskstream.alerts;

import io.maskstream.events.Alert;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alerts to the webhook from its own thread, behind a bounded queue: {@link #offer} never waits, so a
 * slow or dead webhook cannot hold up whoever feeds it; when the queue is full it says so, and the feed holds the
 * alert and stops reading (backpressure: nothing is dropped). Each alert taken ends in exactly one of:
 * delivered (2xx), failed (every attempt refused or timed out, or a status that retrying cannot fix), or
 * abandoned by {@link #close()} (its completion callback is then not run, so the feed does not commit past it and
 * it is posted again after a restart). Failed alerts are counted and logged; all of them remain on the alerts
 * topic. With a secret, each attempt is signed anew ({@link WebhookSignature}), so a retry after a long backoff
 * carries a fresh timestamp and is not taken for a replay.
 */
final class WebhookSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** How to reach the webhook and how hard to try. */
    record Settings(URI url, Optional<String> authorization, Optional<String> secret, int maxAttempts, Duration backoff,
                    Duration maxBackoff, Duration timeout, int queueSize) {

        static Settings of(AlertsConfig config) {
            return new Settings(config.webhookUrl().orElseThrow(), config.webhookAuthorization(), config.webhookSecret(),
                    config.getInt(AlertsConfig.WEBHOOK_MAX_ATTEMPTS),
                    Duration.ofMillis(config.getLong(AlertsConfig.WEBHOOK_BACKOFF_MS)),
                    Duration.ofMillis(config.getLong(AlertsConfig.WEBHOOK_BACKOFF_MAX_MS)), config.webhookTimeout(),
                    config.getInt(AlertsConfig.WEBHOOK_QUEUE_SIZE));
        }

        /** The URL without user info or query, which may hold secrets: safe to log. */
        String endpoint() {
            return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                    + (url.getRawPath() == null ? "" : url.getRawPath());
        }
    }

    private record Pending(Alert alert, Runnable done) {
    }

    private enum Result { DELIVERED, FAILED, ABANDONED }

    private final Settings settings;
    private final AlertsMetrics metrics;
    private final BlockingQueue<Pending> queue;
    private final HttpClient http;
    private final Thread worker;
    private final Gauge queueGauge;
    private volatile boolean closed;

    WebhookSink(Settings settings, AlertsMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(settings.queueSize());
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.worker = new Thread(this::run, "maskstream-alerts-webhook");
        this.worker.setDaemon(true);
        this.queueGauge = metrics.webhookQueue(queue);
    }

    void start() {
        worker.start();
        LOG.info("Webhook {}: {}, up to {} attempts per alert, backoff {} ms doubling to {} ms, queue of {}",
                settings.endpoint(), settings.secret().isPresent() ? "signed (HMAC-SHA256)" : "unsigned",
                settings.maxAttempts(), settings.backoff().toMillis(), settings.maxBackoff().toMillis(), settings.queueSize());
    }

    /**
     * Queues {@code alert} without waiting. Returns false when the queue is full or the sink is closed: the alert
     * was not taken, and the caller offers it again later. {@code done} runs once the alert was delivered or
     * counted as failed.
     */
    boolean offer(Alert alert, Runnable done) {
        return !closed && queue.offer(new Pending(alert, done));
    }

    int queued() {
        return queue.size();
    }

    private void run() {
        while (!closed) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                break;
            }
            if (deliver(p.alert()) == Result.ABANDONED) {
                break;
            }
            p.done().run();
        }
    }

    private Result deliver(Alert alert) {
        byte[] body = AlertJson.write(alert).getBytes(StandardCharsets.UTF_8);
        String last = null;
        int attempt = 1;
        for (; attempt <= settings.maxAttempts(); attempt++) {
            if (closed) {
                return Result.ABANDONED;
            }
            try {
                int status = http.send(request(alert, body), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 200 && status < 300) {
                    metrics.webhookDelivered();
                    LOG.debug("Webhook took alert {} (HTTP {}, attempt {})", alert.getAlertId(), status, attempt);
                    return Result.DELIVERED;
                }
                last = "HTTP " + status;
                if (!retriable(status)) {
                    break;
                }
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                return Result.ABANDONED;
            }
            if (attempt < settings.maxAttempts()) {
                LOG.debug("Webhook attempt {} for alert {} failed ({}); retrying", attempt, alert.getAlertId(), last);
                try {
                    TimeUnit.MILLISECONDS.sleep(backoff(attempt));
                } catch (InterruptedException e) {
                    return Result.ABANDONED;
                }
            }
        }
        metrics.webhookFailed();
        LOG.warn("Webhook {} did not take alert {} after {} attempt(s) (last: {}); it stays on the alerts topic",
                settings.endpoint(), alert.getAlertId(), Math.min(attempt, settings.maxAttempts()), last);
        return Result.FAILED;
    }

    private HttpRequest request(Alert alert, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("X-Maskstream-Alert-Id", alert.getAlertId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        settings.authorization().ifPresent(a -> request.header("Authorization", a));
        settings.secret().ifPresent(secret -> {
            long now = Instant.now().getEpochSecond();
            request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))
                    .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, now, body));
        });
        return request.build();
    }

    /** Wait after failed attempt {@code attempt} (1-based): backoff, doubled each time, capped. */
    long backoff(int attempt) {
        long base = settings.backoff().toMillis();
        long cap = settings.maxBackoff().toMillis();
        int shift = Math.min(attempt - 1, 30);
        return Math.min(cap, base > (cap >> shift) ? cap : base << shift);
    }

    /** Statuses that may succeed later: timeouts, rate limits, server errors. */
    static boolean retriable(int status) {
        return status == 408 || status == 425 || status == 429 || status >= 500;
    }

    /** Stops posting; an alert in flight or queued is abandoned (not counted). Waits a few seconds at most. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.interrupt();
        try {
            worker.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOG.warn("Webhook thread still busy after {} s; leaving it (daemon)", CLOSE_WAIT.toSeconds());
        }
        int left = queue.size();
        if (left > 0) {
            LOG.info("{} alert(s) still queued for the webhook; they are posted after the next start", left);
        }
        queue.clear();
        metrics.remove(queueGauge);
    }
}
