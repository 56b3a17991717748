package io.maskstream.app.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.maskstream.app.dashboard.DashboardState.LatestFrame;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web server (the JDK's, no framework). Routes: {@code /} the page, {@code /static/*} its
 * CSS, JavaScript and icon (from this jar), {@code /api/state} the snapshot as JSON, {@code /events} the
 * same snapshot pushed once a second as server-sent events, {@code /frames/<camera>} the latest frame (only
 * when frames are switched on: otherwise 404, so no image can leave through the dashboard), and
 * {@code /reports/<file>} a report file. Read-only: every other method is refused.
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
    private final Map<String, byte[]> resources;
    private final AtomicInteger streams = new AtomicInteger();
    private final MeterRegistry registry;
    private Gauge streamsGauge;
    private HttpServer server;
    private ExecutorService executor;
    private volatile boolean closed;

    DashboardHttp(String host, int port, Supplier<String> currentJson, SnapshotFeed feed, DashboardState state,
                  ReportIndex reports, boolean showFrames, MeterRegistry registry) {
        this.host = host;
        this.requestedPort = port;
        this.currentJson = currentJson;
        this.feed = feed;
        this.state = state;
        this.reports = reports;
        this.showFrames = showFrames;
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
        HttpServer s = HttpServer.create(new InetSocketAddress(host, requestedPort), 64);
        AtomicInteger n = new AtomicInteger();
        // Unbounded on purpose: a rejected task would kill the server's dispatcher; event streams are capped instead.
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "maskstream-dashboard-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        streamsGauge = Gauge.builder("maskstream.dashboard.event.streams", streams, AtomicInteger::get)
                .description("Dashboard pages connected to the live event stream").register(registry);
    }

    int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                text(exchange, 405, "method not allowed", head);
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/") || path.equals("/index.html")) {
                exchange.getResponseHeaders().set("Content-Security-Policy", PAGE_POLICY);
                send(exchange, 200, "text/html; charset=utf-8", resources.get("/index.html"), head);
            } else if (STATIC.containsKey(path)) {
                send(exchange, 200, STATIC.get(path), resources.get(path), head);
            } else if (path.equals("/favicon.ico")) {
                send(exchange, 200, "image/svg+xml", resources.get("/static/favicon.svg"), head);
            } else if (path.equals("/api/state")) {
                send(exchange, 200, "application/json; charset=utf-8",
                        currentJson.get().getBytes(StandardCharsets.UTF_8), head);
            } else if (path.equals("/events")) {
                events(exchange, head);
            } else if (path.startsWith("/frames/")) {
                frame(exchange, decode(path.substring("/frames/".length())), head);
            } else if (path.startsWith("/reports/")) {
                report(exchange, decode(path.substring("/reports/".length())), head);
            } else {
                text(exchange, 404, "not found", head);
            }
        } catch (IOException e) {
            LOG.debug("Dashboard request ended: {}", e.toString()); // the page went away
        } catch (RuntimeException e) {
            LOG.warn("Dashboard request {} failed: {}", exchange.getRequestURI(), e.toString(), e);
        }
    }

    /** Server-sent events: the current snapshot at once, then each new one as the ticker publishes it. */
    private void events(HttpExchange exchange, boolean head) throws IOException {
        if (streams.incrementAndGet() > MAX_EVENT_STREAMS) {
            streams.decrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", "5");
            text(exchange, 503, "too many live pages; close one", head);
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
            if (head) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
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

    private void frame(HttpExchange exchange, String camera, boolean head) throws IOException {
        Optional<LatestFrame> f = showFrames ? state.latestFrame(camera) : Optional.empty();
        if (f.isEmpty()) {
            text(exchange, 404, showFrames ? "no frame from this camera yet" : "frames are off (dashboard.show.frames)", head);
            return;
        }
        String type = f.get().contentType();
        send(exchange, 200, type.equals("image/png") ? "image/png" : "image/jpeg", f.get().image(), head);
    }

    private void report(HttpExchange exchange, String relative, boolean head) throws IOException {
        Optional<Path> file = reports.resolve(relative);
        if (file.isEmpty()) {
            text(exchange, 404, "no such report", head);
            return;
        }
        // A report runs in an opaque origin: its scripts draw its charts but cannot reach the dashboard.
        exchange.getResponseHeaders().set("Content-Security-Policy", "sandbox allow-scripts");
        send(exchange, 200, ReportIndex.type(file.get()).orElse("application/octet-stream"),
                Files.readAllBytes(file.get()), head);
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static void text(HttpExchange exchange, int status, String body, boolean head) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", (body + "\n").getBytes(StandardCharsets.UTF_8), head);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        if (head) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        closed = true;
        feed.close();
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
        if (streamsGauge != null) {
            registry.remove(streamsGauge);
            streamsGauge = null;
        }
    }
}
