package io.maskstream.runtime.streams;

import io.maskstream.runtime.config.ServiceConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How a maskstream Kafka Streams application keeps its place in its group, so that an instance killed and started
 * again resumes in seconds instead of after the session timeout (45 s by default):
 * <ul>
 *   <li><b>Static membership.</b> Every instance has a stable {@code group.instance.id} ({@code <prefix>.instance.id};
 *       by default the host name and a digest of the state directory, which is per instance already). A restarted
 *       instance takes its own place back at once: the group coordinator hands it the dead member's partitions
 *       without waiting for that member's session to expire.</li>
 *   <li><b>Stable transactional ids.</b> Under exactly-once, Kafka Streams names each thread's transactional producer
 *       after a process id that is new at every start when no store is on disk. A killed instance's open transaction
 *       then blocks every {@code read_committed} reader of its output until {@code transaction.timeout.ms} (and the
 *       coordinator's abort sweep) has passed. {@link #clientSupplier} names the producer after the instance id
 *       instead, so the restarted instance's first {@code initTransactions} fences and aborts it at once.</li>
 *   <li><b>Standby replicas</b> ({@code <prefix>.standby.replicas}): another instance keeps each task's stores warm,
 *       so a task that moves there after a failure does not restore its changelog first.</li>
 *   <li><b>Leaving on a clean stop</b> ({@code <prefix>.leave.group.on.close}): a static member that stops cleanly
 *       leaves the group, so the others take over its partitions at once instead of after the session timeout.</li>
 * </ul>
 * The group protocol is Kafka's classic one by default: with the Streams rebalance protocol (KIP-1071,
 * {@code <prefix>.group.protocol=streams}) Kafka 4.4 accepts static members, but does not hand a crashed member's
 * instance id to its replacement before that member's session expires ({@code UNRELEASED_INSTANCE_ID}), so a restart
 * after a crash waits for the session timeout again.
 */
public final class StreamsMembership {

    public static final String CLASSIC = "classic";
    public static final String STREAMS = "streams";

    private final String applicationId;
    private final String instanceId;
    private final int standbyReplicas;
    private final boolean leaveGroupOnClose;
    private final String groupProtocol;

    private StreamsMembership(String applicationId, String instanceId, int standbyReplicas, boolean leaveGroupOnClose,
                              String groupProtocol) {
        this.applicationId = applicationId;
        this.instanceId = instanceId;
        this.standbyReplicas = standbyReplicas;
        this.leaveGroupOnClose = leaveGroupOnClose;
        this.groupProtocol = groupProtocol;
    }

    /** Adds {@code <prefix>.instance.id}, {@code .standby.replicas}, {@code .leave.group.on.close} and {@code .group.protocol}. */
    public static ConfigDef define(ConfigDef def, String prefix) {
        return def
                .define(prefix + ".instance.id", Type.STRING, "", instanceIdValidator(), Importance.MEDIUM,
                        "Static group member id of this instance (Kafka's group.instance.id; stream thread N adds -N), "
                                + "unique per instance and stable across its restarts, so a restarted instance takes its "
                                + "partitions back at once. Empty: the host name and a digest of the state directory. "
                                + "'none': dynamic membership (a restart waits for the session timeout).")
                .define(prefix + ".standby.replicas", Type.INT, 1, Range.between(0, 10), Importance.LOW,
                        "Standby replicas of each task's state stores on other instances (Kafka Streams' "
                                + "num.standby.replicas): a task that moves after a failure finds its store warm. "
                                + "Ignored with one instance.")
                .define(prefix + ".leave.group.on.close", Type.BOOLEAN, true, Importance.LOW,
                        "On a clean stop, leave the group so other instances take over this one's partitions at once "
                                + "(false: they wait for the session timeout, which spares a rebalance in a quick restart).")
                .define(prefix + ".group.protocol", Type.STRING, CLASSIC, ValidString.in(CLASSIC, STREAMS), Importance.LOW,
                        "Group protocol: classic (default) or streams (KIP-1071, brokers 4.2+; standby replicas then "
                                + "come from the group's streams.num.standby.replicas, and a crashed static member's "
                                + "partitions wait for its session timeout).");
    }

    /** The membership {@code config} describes under {@code prefix}, for the application {@code applicationId}. */
    public static StreamsMembership of(ServiceConfig config, String prefix, String applicationId, String stateDir) {
        String configured = config.getString(prefix + ".instance.id").trim();
        String id = configured.isEmpty() ? defaultInstanceId(stateDir)
                : configured.equalsIgnoreCase("none") ? null : configured;
        return new StreamsMembership(applicationId, id, config.getInt(prefix + ".standby.replicas"),
                config.getBoolean(prefix + ".leave.group.on.close"), config.getString(prefix + ".group.protocol"));
    }

    /**
     * The host name and the first 8 hex digits of the SHA-256 of the absolute state directory: stable across
     * restarts, and distinct for two instances on one host because each needs its own state directory.
     */
    static String defaultInstanceId(String stateDir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        String dir = Path.of(stateDir).toAbsolutePath().normalize().toString();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(dir.getBytes(StandardCharsets.UTF_8));
            String clean = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
            return clean + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConfigDef.Validator instanceIdValidator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String s = value == null ? "" : value.toString().trim();
            if (!s.isEmpty() && !s.matches("[A-Za-z0-9._-]{1,200}")) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "must be empty, 'none', or up to 200 of the characters A-Z a-z 0-9 . _ -");
            }
        }, () -> "empty (derived), none, or [A-Za-z0-9._-]{1,200}");
    }

    /** The static member id, or null for dynamic membership. */
    public String instanceId() {
        return instanceId;
    }

    public boolean leaveGroupOnClose() {
        return leaveGroupOnClose;
    }

    /**
     * Our membership settings, put before the user's {@code kafka.*} settings are applied on top (a user's own
     * {@code group.instance.id} or {@code num.standby.replicas} wins).
     */
    public void apply(Properties props) {
        props.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, groupProtocol);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        if (instanceId != null) {
            props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
    }

    /** How the application's Kafka Streams client is closed on a clean stop. */
    public CloseOptions closeOptions(java.time.Duration timeout) {
        return CloseOptions.timeout(timeout).withGroupMembershipOperation(leaveGroupOnClose
                ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
    }

    /**
     * Kafka's own clients, with each stream thread's transactional id named after the static member id instead of
     * the process id: {@code <application.id>-<instance id>-<thread index>}. With dynamic membership, Kafka's names.
     */
    public KafkaClientSupplier clientSupplier() {
        return new KafkaClientSupplier() {
            @Override
            public Admin getAdmin(Map<String, Object> config) {
                return Admin.create(config);
            }

            @Override
            public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
                return new KafkaProducer<>(stableTransactionalId(config), new ByteArraySerializer(), new ByteArraySerializer());
            }

            @Override
            public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
                return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }

            @Override
            public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
                return getConsumer(config);
            }

            @Override
            public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
                return getConsumer(config);
            }
        };
    }

    /** Kafka Streams' {@code <application.id>-<process id>-<thread index>} with the instance id for the process id. */
    Map<String, Object> stableTransactionalId(Map<String, Object> config) {
        Object id = config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        if (instanceId == null || id == null) {
            return config;
        }
        String given = id.toString();
        int dash = given.lastIndexOf('-');
        String thread = dash < 0 ? "1" : given.substring(dash + 1);
        Map<String, Object> copy = new java.util.HashMap<>(config);
        copy.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, applicationId + "-" + instanceId + "-" + thread);
        return copy;
    }
}
