package io.maskstream.runtime.metrics;

import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.runtime.http.ReadOnlyHttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's metrics and health endpoint, on {@link ReadOnlyHttpServer}:
 * <ul>
 *   <li>{@code GET /metrics} — the registry in the Prometheus text format 0.0.4 (OpenMetrics 1.0 when the
 *       scraper's {@code Accept} header asks for it);</li>
 *   <li>{@code GET /health} — liveness: 200 while the process serves HTTP at all;</li>
 *   <li>{@code GET /ready} — readiness: 200 when the readiness check says so, else 503 (also when the check
 *       throws, so a broken check never reports ready).</li>
 * </ul>
 * Binds {@code metrics.host} (loopback by default) and {@code metrics.port} (0: a free port, see
 * {@link #port()}; -1: disabled, {@link #start()} does nothing). Nothing it serves carries event data.
 */
public final class MetricsServer implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_100 = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final int THREADS = 2;

    private final String host;
    private final int configuredPort;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private ReadOnlyHttpServer server;
    private volatile int port = -1;

    /** Reads {@value CommonConfig#METRICS_HOST} and {@value CommonConfig#METRICS_PORT} from {@code config}. */
    public MetricsServer(ServiceConfig config, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this(config.getString(CommonConfig.METRICS_HOST), config.getInt(CommonConfig.METRICS_PORT), registry, ready);
    }

    /** @param port 0 for a free port, -1 to disable */
    public MetricsServer(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("metrics port must be -1 (disabled), 0 (free) or 1-65535: " + port);
        }
        this.host = Objects.requireNonNull(host, "host");
        this.configuredPort = port;
        this.registry = Objects.requireNonNull(registry, "registry");
        this.ready = Objects.requireNonNull(ready, "ready");
    }

    /** A Prometheus registry with Micrometer's defaults, to pass here and to the services. */
    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Override
    public String name() {
        return "metrics";
    }

    /** False when {@code metrics.port} is -1. */
    public boolean enabled() {
        return configuredPort >= 0;
    }

    @Override
    public synchronized void start() throws IOException {
        if (!enabled()) {
            LOG.info("Metrics endpoint disabled ({}=-1)", CommonConfig.METRICS_PORT);
            return;
        }
        if (server != null) {
            return;
        }
        server = ReadOnlyHttpServer.start(host, configuredPort, 16, THREADS, "maskstream-metrics-http", this::handle);
        port = server.port();
        LOG.info("Metrics and health at http://{}:{}/metrics, /health, /ready", hostForUrl(), port);
    }

    /** The bound port once started; -1 before start, after close, or when disabled. */
    public int port() {
        return port;
    }

    /** {@code http://host:port} once started (empty string when not serving). */
    public String url() {
        return port < 0 ? "" : "http://" + hostForUrl() + ":" + port;
    }

    private String hostForUrl() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private void handle(ReadOnlyHttpServer.Request request) throws IOException {
        switch (request.uri().getPath()) {
            case "/metrics" -> metrics(request);
            case "/health" -> request.text(200, "UP");
            case "/ready" -> {
                boolean isReady = isReady();
                request.text(isReady ? 200 : 503, isReady ? "READY" : "NOT READY");
            }
            default -> request.text(404, "not found: try /metrics, /health or /ready");
        }
    }

    private boolean isReady() {
        try {
            return ready.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("Readiness check failed: {}", e.toString());
            return false;
        }
    }

    private void metrics(ReadOnlyHttpServer.Request request) throws IOException {
        String accept = request.header("Accept");
        String contentType = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_100 : TEXT_004;
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        registry.scrape(body, contentType);
        request.send(200, contentType, body.toByteArray());
    }

    @Override
    public synchronized void close() {
        port = -1;
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
