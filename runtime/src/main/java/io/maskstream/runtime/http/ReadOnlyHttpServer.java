package io.maskstream.runtime.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one small web server maskstream's endpoints run on (the JDK's, no framework): GET and HEAD only (any other
 * method is refused with 405), every response marked {@code no-store}, {@code nosniff} and {@code no-referrer}, a
 * client that hangs up is not an error. The metrics endpoint and the dashboard route requests through it.
 */
public final class ReadOnlyHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyHttpServer.class);

    /** What answers a GET or HEAD request. */
    @FunctionalInterface
    public interface Handler {
        void handle(Request request) throws IOException;
    }

    /** One GET or HEAD request and the ways to answer it. */
    public static final class Request {
        private final HttpExchange exchange;
        private final boolean head;

        private Request(HttpExchange exchange) {
            this.exchange = exchange;
            this.head = "HEAD".equals(exchange.getRequestMethod());
        }

        /** The raw (undecoded) path. */
        public String rawPath() {
            return exchange.getRequestURI().getRawPath();
        }

        public URI uri() {
            return exchange.getRequestURI();
        }

        /** A request header, or null. */
        public String header(String name) {
            return exchange.getRequestHeaders().getFirst(name);
        }

        /** Sets a response header (before the response is sent). */
        public Request setHeader(String name, String value) {
            exchange.getResponseHeaders().set(name, value);
            return this;
        }

        /** Adds a response header line, keeping earlier ones of that name (e.g. several challenges). */
        public Request addHeader(String name, String value) {
            exchange.getResponseHeaders().add(name, value);
            return this;
        }

        /** Sends {@code body} with {@code status} (only the headers for HEAD). */
        public void send(int status, String contentType, byte[] body) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (head) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        /** Sends {@code body} and a line end as {@code text/plain}. */
        public void text(int status, String body) throws IOException {
            send(status, "text/plain; charset=utf-8", (body + "\n").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Starts a response of unknown length (e.g. server-sent events) and returns its body, or null for HEAD (the
         * headers went out).
         */
        public OutputStream stream(int status, String contentType) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (head) {
                exchange.sendResponseHeaders(status, -1);
                return null;
            }
            exchange.sendResponseHeaders(status, 0);
            return exchange.getResponseBody();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private ReadOnlyHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (0: a free port) and serves {@code handler}.
     *
     * @param threads request threads; 0 for as many as requests (long-lived streams must not starve the rest)
     */
    public static ReadOnlyHttpServer start(String host, int port, int backlog, int threads, String threadName,
                                           Handler handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(host, port), backlog);
        AtomicInteger n = new AtomicInteger();
        java.util.concurrent.ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // A rejected task would kill the server's dispatcher: the pool never rejects.
        ExecutorService pool = threads > 0 ? Executors.newFixedThreadPool(threads, factory)
                : Executors.newCachedThreadPool(factory);
        s.setExecutor(pool);
        s.createContext("/", exchange -> serve(exchange, handler));
        s.start();
        return new ReadOnlyHttpServer(s, pool);
    }

    private static void serve(HttpExchange exchange, Handler handler) {
        try (exchange) {
            Request request = new Request(exchange);
            request.setHeader("Cache-Control", "no-store").setHeader("X-Content-Type-Options", "nosniff")
                    .setHeader("Referrer-Policy", "no-referrer");
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                request.setHeader("Allow", "GET, HEAD").text(405, "method not allowed");
                return;
            }
            handler.handle(request);
        } catch (IOException e) {
            LOG.debug("HTTP request {} ended: {}", exchange.getRequestURI(), e.toString()); // the client went away
        } catch (RuntimeException e) {
            LOG.warn("HTTP request {} failed: {}", exchange.getRequestURI(), e.toString(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving; waits up to 2 s for requests in progress. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
