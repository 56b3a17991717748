package io.maskstream.embedded;

import io.maskstream.runtime.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker + controller) running in this JVM.
 * The log directory survives {@link #close()}, so the same instance can be stopped and started again
 * (the broker-restart fault test does that) and keeps its data and its ports.
 *
 * <p>A single node needs replication factor 1 and min ISR 1 for the offsets and transaction state
 * topics, or consumer groups and transactions hang without an error; those are set here.
 */
public final class EmbeddedKafka implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final String host;
    private final Path logDir;
    private final Map<String, String> overrides;
    private final String clusterId;
    private int port;
    private int controllerPort;
    private int externalPort;
    private String externalAdvertised;
    private BrokerSecurity security;
    private KafkaRaftServer server;

    /**
     * @param host      interface to bind (loopback by default)
     * @param port      client port, 0 to pick a free one
     * @param logDir    where the broker keeps its data (created and formatted if new)
     * @param overrides broker settings that replace the defaults here
     */
    public EmbeddedKafka(String host, int port, Path logDir, Map<String, String> overrides) {
        this.host = host;
        this.port = port;
        this.logDir = logDir;
        this.overrides = new TreeMap<>(overrides);
        this.clusterId = Uuid.randomUuid().toString();
    }

    @Override
    public String name() {
        return "kafka";
    }

    /**
     * Adds a second listener on {@code port} that tells its clients to reach the broker at {@code advertised}
     * (host:port), e.g. a relay in front of it: clients bootstrapped there go through the relay for every connection,
     * while {@link #bootstrapServers()} stays direct. Call before {@link #start()}.
     */
    public synchronized EmbeddedKafka withExternalListener(int port, String advertised) {
        this.externalPort = port;
        this.externalAdvertised = advertised;
        return this;
    }

    /**
     * Makes the client listener SASL_SSL with SCRAM-SHA-512 and turns the standard authorizer on (no ACL, no access;
     * {@link BrokerSecurity#SUPER_USER} is a super user). The default stays PLAINTEXT without an authorizer. Call
     * before {@link #start()}; not combined with {@link #withExternalListener}.
     */
    public synchronized EmbeddedKafka withSecurity(BrokerSecurity security) {
        this.security = security;
        return this;
    }

    /** The security material of a secured broker, or null. */
    public BrokerSecurity security() {
        return security;
    }

    /** Client settings (bootstrap and, if secured, the super user's login) for administering this broker. */
    public Map<String, Object> superUserProperties() {
        Map<String, Object> conf = new java.util.HashMap<>();
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (security != null) {
            conf.putAll(security.clientProperties(BrokerSecurity.SUPER_USER, security.superUserPassword()));
        }
        return conf;
    }

    @Override
    public synchronized void start() throws IOException {
        if (security != null && externalAdvertised != null) {
            throw new IllegalStateException("A secured broker has no external listener");
        }
        if (server != null) {
            return;
        }
        if (port == 0) {
            port = Ports.free(host);
        }
        if (controllerPort == 0) {
            controllerPort = Ports.free(host);
        }
        Files.createDirectories(logDir);
        Properties props = brokerProperties();
        Path propsFile = logDir.resolveSibling(logDir.getFileName() + ".properties");
        try (Writer w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            props.store(w, "maskstream embedded broker");
        }
        format(propsFile);
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            s.startup();
        } catch (RuntimeException e) {
            s.shutdown();
            throw e;
        }
        server = s;
        awaitReady(Duration.ofSeconds(60));
        LOG.info("Kafka broker (KRaft) ready at {} (data in {})", bootstrapServers(), logDir);
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        String external = externalAdvertised == null ? "" : ",EXTERNAL://" + host + ":" + externalPort;
        p.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort + external);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port
                + (externalAdvertised == null ? "" : ",EXTERNAL://" + externalAdvertised));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Transactions v2 (KIP-890): the first produce of a transaction is verified with the coordinator; right after a
        // commit, the previous transaction's markers may not be written yet, and the broker retries the check for up to
        // this long before it answers CONCURRENT_TRANSACTIONS. Past it, a later batch of the same producer already in
        // flight fails with OUT_OF_ORDER_SEQUENCE (logged at ERROR, retried by the client, nothing lost). On a busy
        // single node, markers can take longer than the 100 ms default; 1 s keeps those retries inside the broker.
        p.put("add.partitions.to.txn.retry.backoff.max.ms", "1000");
        p.put("unstable.api.versions.enable", "false");
        p.put("unstable.feature.versions.enable", "false");
        // Frames are ~50 KB; allow single images up to 16 MB at the broker, topics set their own limits.
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        if (security != null) {
            String listener = "SASL_SSL";
            p.put("listeners", listener + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
            p.put("advertised.listeners", listener + "://" + host + ":" + port);
            p.put("inter.broker.listener.name", listener);
            p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
            p.putAll(security.brokerProperties());
        }
        p.putAll(overrides);
        return p;
    }

    private void format(Path propsFile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("format", "-t", clusterId, "-c",
                    propsFile.toString(), "--ignore-formatted"));
            if (security != null) {
                args.addAll(java.util.List.of("--add-scram", security.formatScramArgument()));
            }
            rc = StorageTool.execute(args.toArray(String[]::new), ps);
        } catch (Exception e) {
            throw new IllegalStateException("Formatting Kafka log dir " + logDir + " failed: " + e.getMessage(), e);
        }
        if (rc != 0) {
            throw new IllegalStateException("Formatting Kafka log dir " + logDir + " failed (" + rc + "): " + out);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> conf = superUserProperties();
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        Exception last = null;
        try (Admin admin = Admin.create(conf)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get().isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                sleep(100);
            }
        }
        throw new IllegalStateException("Kafka broker at " + bootstrapServers() + " not ready after " + timeout, last);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker; the data stays, and {@link #start()} brings it back on the same ports. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka broker shutdown: {}", e.toString());
        }
        LOG.info("Kafka broker at {}:{} stopped", host, port);
    }

    /** Deletes the log directory; only after {@link #close()}. */
    public void deleteData() {
        if (isRunning()) {
            throw new IllegalStateException("broker still running");
        }
        deleteRecursively(logDir);
        try {
            Files.deleteIfExists(logDir.resolveSibling(logDir.getFileName() + ".properties"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
