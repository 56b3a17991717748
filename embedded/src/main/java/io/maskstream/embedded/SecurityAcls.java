package io.maskstream.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of every maskstream service, in one table: the secured-cluster test applies these bindings
 * and nothing else, and the README's {@code kafka-acls.sh} script is {@link #script} of the same table (a test checks
 * they agree). Worked out on a broker that denies whatever no ACL allows ({@code SecuredClusterIntegrationTest}):
 * every grant the camera, processor (frames, dead letters, a release hot swap), alerts, trainer publish and dashboard
 * reads exercise there was needed and used. READ and WRITE imply DESCRIBE, and WRITE on a topic implies
 * IDEMPOTENT_WRITE, so neither is granted. Not exercised there and taken from the code: the camera's dead-letter
 * write (oversized frames only; the pre-flight does see the topic through it), the alerts webhook feed (READ alerts
 * in its group) and the trainer's reads (labelled frames in its group, the release log, artifacts).
 * Neither topology has a repartition topic, so Streams never purges one and needs no DELETE; a topology that gains
 * one needs DELETE on the application-id prefix.
 */
public final class SecurityAcls {

    /** One principal per service. */
    public enum Principal {
        CAMERA, PROCESSOR, ALERTS, TRAINER, DASHBOARD;

        /** The SCRAM user name, e.g. {@code processor}. */
        public String user() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String principal() {
            return "User:" + user();
        }
    }

    /** The topic names, application ids and group ids the grants name (the configuration's values). */
    public record Names(String frames, String labeledFrames, String classifications, String alerts, String modelReleases,
                        String modelArtifacts, String dlqSuffix, String processorApplicationId,
                        String alertsApplicationId, String alertsWebhookGroup, String trainerGroup) {

        /** The defaults of the maskstream configuration. */
        public static Names defaults() {
            return new Names("frames", "labeled-frames", "classifications", "alerts", "model-releases", "model-artifacts",
                    "-dlq", "maskstream-processor", "maskstream-alerts", "maskstream-alerts-webhook", "maskstream-trainer");
        }
    }

    /** One allowed operation of a principal on a resource. */
    public record Grant(Principal principal, ResourceType type, PatternType pattern, String name, AclOperation operation) {

        public AclBinding binding() {
            return new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal.principal(), "*", operation, AclPermissionType.ALLOW));
        }
    }

    private SecurityAcls() {
    }

    /** Every grant, in principal order. */
    public static List<Grant> grants(Names n) {
        Table t = new Table();
        // camera: publishes frames (idempotent: WRITE on a topic implies IDEMPOTENT_WRITE since Kafka 3.0) and dead-letters
        // frames over the size limit; its pre-flight reads the frames topic's record limit (else it only warns)
        t.topic(Principal.CAMERA, n.frames(), AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS);
        t.topic(Principal.CAMERA, n.frames() + n.dlqSuffix(), AclOperation.WRITE);
        // processor: Kafka Streams under exactly-once, plus its release follower and artifact fetches (no group)
        t.topic(Principal.PROCESSOR, n.frames(), AclOperation.READ);
        t.topic(Principal.PROCESSOR, n.classifications(), AclOperation.WRITE);
        t.topic(Principal.PROCESSOR, n.frames() + n.dlqSuffix(), AclOperation.WRITE);
        t.topic(Principal.PROCESSOR, n.modelReleases(), AclOperation.READ);
        t.topic(Principal.PROCESSOR, n.modelArtifacts(), AclOperation.READ);
        t.streamsApplication(Principal.PROCESSOR, n.processorApplicationId());
        // alerts: Kafka Streams under exactly-once; its webhook feed reads alerts in a group of its own
        t.topic(Principal.ALERTS, n.classifications(), AclOperation.READ);
        t.topic(Principal.ALERTS, n.alerts(), AclOperation.WRITE, AclOperation.READ);
        t.topic(Principal.ALERTS, n.classifications() + n.dlqSuffix(), AclOperation.WRITE);
        t.streamsApplication(Principal.ALERTS, n.alertsApplicationId());
        t.add(Principal.ALERTS, ResourceType.GROUP, PatternType.LITERAL, n.alertsWebhookGroup(), AclOperation.READ);
        // trainer: reads labelled frames in its group, reads and writes the release log and the artifacts
        t.topic(Principal.TRAINER, n.labeledFrames(), AclOperation.READ);
        t.add(Principal.TRAINER, ResourceType.GROUP, PatternType.LITERAL, n.trainerGroup(), AclOperation.READ);
        t.topic(Principal.TRAINER, n.modelReleases(), AclOperation.READ, AclOperation.WRITE);
        t.topic(Principal.TRAINER, n.modelArtifacts(), AclOperation.READ, AclOperation.WRITE);
        // dashboard: reads only, with group-less consumers (frames too only if dashboard.show.frames is on)
        for (String topic : List.of(n.classifications(), n.alerts(), n.modelReleases())) {
            t.topic(Principal.DASHBOARD, topic, AclOperation.READ);
        }
        return List.copyOf(t.grants);
    }

    /** The grants as Admin API bindings. */
    public static List<AclBinding> bindings(Names n) {
        return grants(n).stream().map(Grant::binding).toList();
    }

    /**
     * The SCRAM users ({@code kafka-configs.sh}, passwords from {@code $CAMERA_PASSWORD} and so on) and the grants as
     * {@code kafka-acls.sh} commands, one per principal and resource, run as a super user ({@code $BOOTSTRAP} and
     * {@code $ADMIN_CONFIG}, a properties file with the super user's client settings, are the other inputs).
     */
    public static String script(Names n) {
        StringBuilder out = new StringBuilder();
        for (Principal p : Principal.values()) {
            String variable = "$" + p.name() + "_PASSWORD";
            out.append("kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --alter")
                    .append(" --add-config \"SCRAM-SHA-512=[iterations=8192,password=").append(variable).append("]\"")
                    .append(" --entity-type users --entity-name ").append(p.user()).append('\n');
        }
        List<Grant> all = grants(n);
        Principal current = null;
        for (int i = 0; i < all.size(); ) {
            Grant g = all.get(i);
            List<AclOperation> ops = new ArrayList<>();
            int j = i;
            while (j < all.size() && sameResource(all.get(j), g)) {
                ops.add(all.get(j).operation());
                j++;
            }
            if (g.principal() != current) {
                current = g.principal();
                out.append("# ").append(current.user()).append('\n');
            }
            out.append("kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" --add")
                    .append(" --allow-principal ").append(g.principal().principal());
            for (AclOperation op : ops) {
                out.append(" --operation ").append(operationName(op));
            }
            out.append(' ').append(resourceOption(g.type())).append(' ').append(g.name());
            if (g.pattern() == PatternType.PREFIXED) {
                out.append(" --resource-pattern-type prefixed");
            }
            out.append('\n');
            i = j;
        }
        return out.toString();
    }

    private static boolean sameResource(Grant a, Grant b) {
        return a.principal() == b.principal() && a.type() == b.type() && a.pattern() == b.pattern() && a.name().equals(b.name());
    }

    private static String operationName(AclOperation op) {
        // kafka-acls.sh spells them in CamelCase: Read, Write, Describe, Create, Delete, DescribeConfigs, IdempotentWrite
        StringBuilder s = new StringBuilder();
        for (String part : op.name().split("_")) {
            s.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }

    private static String resourceOption(ResourceType type) {
        return switch (type) {
            case TOPIC -> "--topic";
            case GROUP -> "--group";
            case TRANSACTIONAL_ID -> "--transactional-id";
            case CLUSTER -> "--cluster";
            default -> throw new IllegalArgumentException("no kafka-acls option for " + type);
        };
    }

    private static final class Table {
        private final List<Grant> grants = new ArrayList<>();

        void add(Principal p, ResourceType type, PatternType pattern, String name, AclOperation... ops) {
            for (AclOperation op : ops) {
                grants.add(new Grant(p, type, pattern, name, op));
            }
        }

        void topic(Principal p, String name, AclOperation... ops) {
            add(p, ResourceType.TOPIC, PatternType.LITERAL, name, ops);
        }

        /**
         * What a Kafka Streams application under exactly-once needs for itself, all named after its application id:
         * its consumer group, its transactional ids ({@code <app id>-<process id>-<thread>}) and its internal topics
         * (changelogs and repartition topics, created by Streams, purged with DeleteRecords).
         */
        void streamsApplication(Principal p, String applicationId) {
            add(p, ResourceType.GROUP, PatternType.LITERAL, applicationId, AclOperation.READ);
            add(p, ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED, applicationId, AclOperation.WRITE);
            add(p, ResourceType.TOPIC, PatternType.PREFIXED, applicationId, AclOperation.CREATE, AclOperation.READ,
                    AclOperation.WRITE);
        }
    }
}
