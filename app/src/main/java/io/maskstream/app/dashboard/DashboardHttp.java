package io.maskstream.app.dashboard;

import io.maskstream.app.dashboard.DashboardState.LatestFrame;
import io.maskstream.runtime.http.ReadOnlyHttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web server ({@link ReadOnlyHttpServer}). Routes: {@code /} the page, {@code /static/*} its
 * CSS, JavaScript and icon (from this jar), {@code /api/state} the snapshot as JSON, {@code /events} the
 * same snapshot pushed once a second as server-sent events, {@code /frames/<camera>} the latest frame (only
 * when frames are switched on: otherwise 404, so no image can leave through the dashboard), and
 * {@code /reports/<file>} a report file. Read-only: every other method is refused. With credentials configured
 * ({@link DashboardAuth}) every path, the page's own files included, answers 401 to a request without them, before
 * any route runs: a 401 carries a short text and never a frame or snapshot.
 */
final class DashboardHttp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardHttp.class);
    static final int MAX_EVENT_STREAMS = 32;
    private static final long KEEP_ALIVE_MS = 15_000;
    private static final String RESOURCES = "/io/maskstream/app/dashboard/web/";
    private static final String PAGE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    private static final Map<String, String> STATIC = Map.of(
            "/static/dashboard.css", "text/css; charset=utf-8",
            "/static/dashboard.js", "text/javascript; charset=utf-8",
            "/static/favicon.svg", "image/svg+xml");

    private final String host;
    private final int requestedPort;
    private final Supplier<String> currentJson;
    private final SnapshotFeed feed;
    private final DashboardState state;
    private final ReportIndex reports;
    private final boolean showFrames;
    private final DashboardAuth auth;
    private final Map<String, byte[]> resources;
    private final AtomicInteger streams = new AtomicInteger();
    private final MeterRegistry registry;
    private Gauge streamsGauge;
    private ReadOnlyHttpServer server;
    private volatile boolean closed;

    DashboardHttp(String host, int port, Supplier<String> currentJson, SnapshotFeed feed, DashboardState state,
                  ReportIndex reports, boolean showFrames, DashboardAuth auth, MeterRegistry registry) {
        this.host = host;
        this.requestedPort = port;
        this.currentJson = currentJson;
        this.feed = feed;
        this.state = state;
        this.reports = reports;
        this.showFrames = showFrames;
        this.auth = auth;
        this.registry = registry;
        this.resources = Map.of(
                "/index.html", resource("index.html"),
                "/static/dashboard.css", resource("dashboard.css"),
                "/static/dashboard.js", resource("dashboard.js"),
                "/static/favicon.svg", resource("favicon.svg"));
    }

    private static byte[] resource(String name) {
        try (InputStream in = DashboardHttp.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("Dashboard resource " + RESOURCES + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() throws IOException {
        // As many threads as requests: each live page holds one for its event stream (capped at MAX_EVENT_STREAMS).
        server = ReadOnlyHttpServer.start(host, requestedPort, 64, 0, "maskstream-dashboard-http", this::handle);
        streamsGauge = Gauge.builder("maskstream.dashboard.event.streams", streams, AtomicInteger::get)
                .description("Dashboard pages connected to the live event stream").register(registry);
    }

    int port() {
        return server == null ? -1 : server.port();
    }

    private void handle(ReadOnlyHttpServer.Request request) throws IOException {
        String path = request.rawPath();
        if (!auth.allows(request.header("Authorization"))) {
            // The header is not logged: it may hold a near-miss of the secret.
            LOG.debug("Dashboard request for {} refused: no valid credentials", path);
            auth.challenges().forEach(c -> request.addHeader("WWW-Authenticate", c));
            request.text(401, "authentication required");
            return;
        }
        if (path.equals("/") || path.equals("/index.html")) {
            request.setHeader("Content-Security-Policy", PAGE_POLICY);
            request.send(200, "text/html; charset=utf-8", resources.get("/index.html"));
        } else if (STATIC.containsKey(path)) {
            request.send(200, STATIC.get(path), resources.get(path));
        } else if (path.equals("/favicon.ico")) {
            request.send(200, "image/svg+xml", resources.get("/static/favicon.svg"));
        } else if (path.equals("/api/state")) {
            request.send(200, "application/json; charset=utf-8", currentJson.get().getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/events")) {
            events(request);
        } else if (path.startsWith("/frames/")) {
            frame(request, decode(path.substring("/frames/".length())));
        } else if (path.startsWith("/reports/")) {
            report(request, decode(path.substring("/reports/".length())));
        } else {
            request.text(404, "not found");
        }
    }

    /** Server-sent events: the current snapshot at once, then each new one as the ticker publishes it. */
    private void events(ReadOnlyHttpServer.Request request) throws IOException {
        if (streams.incrementAndGet() > MAX_EVENT_STREAMS) {
            streams.decrementAndGet();
            request.setHeader("Retry-After", "5").text(503, "too many live pages; close one");
            return;
        }
        try {
            OutputStream out = request.setHeader("X-Accel-Buffering", "no").stream(200, "text/event-stream; charset=utf-8");
            if (out == null) {
                return;
            }
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            long seen = -1;
            while (!closed) {
                SnapshotFeed.Published p = feed.next(seen, KEEP_ALIVE_MS);
                if (p == null) {
                    break;
                }
                if (p.sequence() == seen) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    out.write(("data: " + p.json() + "\n\n").getBytes(StandardCharsets.UTF_8));
                    seen = p.sequence();
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.decrementAndGet();
        }
    }

    private void frame(ReadOnlyHttpServer.Request request, String camera) throws IOException {
        Optional<LatestFrame> f = showFrames ? state.latestFrame(camera) : Optional.empty();
        if (f.isEmpty()) {
            request.text(404, showFrames ? "no frame from this camera yet" : "frames are off (dashboard.show.frames)");
            return;
        }
        String type = f.get().contentType();
        request.send(200, type.equals("image/png") ? "image/png" : "image/jpeg", f.get().image());
    }

    private void report(ReadOnlyHttpServer.Request request, String relative) throws IOException {
        Optional<Path> file = reports.resolve(relative);
        if (file.isEmpty()) {
            request.text(404, "no such report");
            return;
        }
        // A report runs in an opaque origin: its scripts draw its charts but cannot reach the dashboard.
        request.setHeader("Content-Security-Policy", "sandbox allow-scripts");
        request.send(200, ReportIndex.type(file.get()).orElse("application/octet-stream"), Files.readAllBytes(file.get()));
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    @Override
    public void close() {
        closed = true;
        feed.close();
        if (server != null) {
            server.close();
            server = null;
        }
        if (streamsGauge != null) {
            registry.remove(streamsGauge);
            streamsGauge = null;
        }
    }
}
