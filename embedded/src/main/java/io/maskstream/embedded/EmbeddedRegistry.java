package io.maskstream.embedded;

import io.maskstream.runtime.Service;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio schema registry server (in-memory storage) as a child process, serving the
 * Confluent-compatible API at {@link #url()}. The distribution comes from Maven Central at build time.
 *
 * <p>The child cannot outlive us: it runs under a small {@code sh} watchdog that kills it as soon as
 * our end of its stdin pipe closes, which the operating system does when this JVM exits for any
 * reason, SIGKILL included.
 */
public final class EmbeddedRegistry implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRegistry.class);
    /** The Confluent-compatible API path of Apicurio. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private final String host;
    private final Path distribution;
    private final Path logFile;
    private int port;
    private BrokerSecurity tls;
    private Process process;
    private OutputStream lifeline;

    /**
     * @param host         interface to bind (loopback by default)
     * @param port         HTTP port, 0 to pick a free one
     * @param distribution the unpacked Apicurio distribution (holding the {@code -runner.jar}); null for the
     *                     one unpacked by this module's build
     * @param logFile      where the server's output goes
     */
    public EmbeddedRegistry(String host, int port, Path distribution, Path logFile) {
        this.host = host;
        this.port = port;
        this.distribution = distribution != null ? distribution : defaultDistribution();
        this.logFile = logFile;
    }

    /** The distribution unpacked by the build of this module (see {@code maskstream-embedded.properties}). */
    public static Path defaultDistribution() {
        Properties props = new Properties();
        try (InputStream in = EmbeddedRegistry.class.getResourceAsStream("/maskstream-embedded.properties")) {
            if (in == null) {
                throw new IllegalStateException("maskstream-embedded.properties missing from the classpath");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Path.of(props.getProperty("registry.distribution"));
    }

    @Override
    public String name() {
        return "schema-registry";
    }

    /**
     * Serves HTTPS only (no plain HTTP port) with the broker's key pair of {@code security}, whose certificate names
     * the same host; clients trust {@link BrokerSecurity#truststore()}. Call before {@link #start()}.
     */
    public synchronized EmbeddedRegistry withTls(BrokerSecurity security) {
        this.tls = security;
        return this;
    }

    @Override
    public synchronized void start() throws IOException {
        if (process != null) {
            return;
        }
        Path runner = findRunner();
        if (port == 0) {
            port = Ports.free(host);
        }
        if (Ports.isListening(host, port)) {
            throw new IllegalStateException("Cannot start the schema registry: " + host + ":" + port + " is already in use");
        }
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                // The watchdog: run java in the background, kill it when stdin reaches EOF, exit with it.
                // (An asynchronous command's stdin is /dev/null in sh, hence the copy on fd 3.)
                "exec 3<&0; \"$@\" & child=$!; (cat <&3 >/dev/null; kill $child 2>/dev/null) & exec 3<&-; wait $child",
                "registry-watchdog", java, "-Xmx384m", "-XX:+UseSerialGC",
                "-Dquarkus.http.host=" + host, "-Dquarkus.http.port=" + (tls == null ? port : Ports.free(host)),
                "-Dquarkus.management.enabled=false", "-Dquarkus.log.console.color=false",
                "-Dregistry.ccompat.legacy-id-mode.enabled=false"));
        if (tls != null) {
            // Quarkus takes these at run time: HTTPS on our port, plain HTTP refused (not even bound).
            cmd.addAll(List.of("-Dquarkus.http.ssl-port=" + port, "-Dquarkus.http.insecure-requests=disabled",
                    "-Dquarkus.http.ssl.certificate.key-store-file=" + tls.keystore(),
                    "-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12",
                    "-Dquarkus.http.ssl.certificate.key-store-password=" + tls.storePassword()));
        }
        cmd.addAll(List.of("-jar", runner.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        process = pb.start();
        lifeline = process.getOutputStream();
        try {
            awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Schema registry (Apicurio {}) ready at {} (log {})", distribution.getFileName(), url(), logFile);
    }

    private Path findRunner() throws IOException {
        if (!Files.isDirectory(distribution)) {
            throw new IllegalStateException("Schema registry distribution not found at " + distribution
                    + "; build the project first (mvn install) or set the registry distribution path");
        }
        try (Stream<Path> files = Files.list(distribution)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No *-runner.jar in " + distribution));
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (tls != null) {
            builder.sslContext(tls.clientTlsContext());
        }
        HttpClient http = builder.build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Schema registry exited with " + process.exitValue()
                        + " during start-up; see " + logFile);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("Schema registry not ready at " + url() + " after " + timeout + "; see " + logFile);
    }

    /** The Confluent-compatible API base URL, the value for {@code schema.registry.url}. */
    public String url() {
        return (tls == null ? "http://" : "https://") + host + ":" + port + CCOMPAT_PATH;
    }

    public int port() {
        return port;
    }

    /** The PID of the registry JVM itself (not the watchdog), if running. */
    public synchronized java.util.OptionalLong serverPid() {
        if (process == null) {
            return java.util.OptionalLong.empty();
        }
        return process.descendants().filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        try {
            lifeline.close();
        } catch (IOException e) {
            // the watchdog is gone already
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                LOG.warn("Schema registry did not stop in 20 s; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
        process.destroyForcibly();
        for (ProcessHandle h : tree) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }
        process = null;
        LOG.info("Schema registry at {}:{} stopped", host, port);
    }
}
