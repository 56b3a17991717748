package io.maskstream.runtime.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Logs in to the cluster once before a service starts its clients, so that wrong credentials stop start-up with one
 * {@link ConfigException} naming the key to fix, instead of clients that retry, time out and log stack traces.
 * Only on a secured connection ({@code kafka.security.protocol} other than PLAINTEXT); an unreachable broker is not
 * judged here (the clients wait for it as before). The message never contains the secret.
 */
public final class ClusterLogin {

    private static final long TIMEOUT_MS = 20_000;

    private ClusterLogin() {
    }

    /** Throws a {@link ConfigException} if the broker refuses this service's SASL or TLS handshake. */
    public static void check(ServiceConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties(ServiceConfig.ClientKind.ADMIN));
        Object protocol = props.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        if (protocol == null || "PLAINTEXT".equalsIgnoreCase(protocol.toString().trim())) {
            return;
        }
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        String servers = String.valueOf(props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster().nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            RuntimeException clear = translate(e.getCause(), servers);
            if (clear != null) {
                throw clear;
            }
            // any other failure (e.g. not authorized to describe the cluster) is not a login problem: the clients judge
        } catch (TimeoutException e) {
            // unreachable or slow: not a credentials problem; the service's own clients wait for the broker
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted logging in to " + servers, e);
        } catch (org.apache.kafka.common.KafkaException e) { // the client could not even be built from the settings
            for (Throwable t = e; t != null; t = t.getCause()) {
                RuntimeException clear = translate(t, servers);
                if (clear != null) {
                    throw clear;
                }
            }
            throw e;
        }
    }

    /** The clear error for a login or security-settings failure, or null for any other. */
    private static RuntimeException translate(Throwable cause, String servers) {
        if (cause instanceof SaslAuthenticationException) {
            String mechanism = ServiceConfig.KAFKA_PREFIX + "sasl.mechanism";
            return new ConfigException("The Kafka cluster at " + servers + " refused the login: check the user name and"
                    + " password in " + ServiceConfig.KAFKA_PREFIX + "sasl.jaas.config (and " + mechanism + ")."
                    + " Broker said: " + firstLine(cause.getMessage()));
        }
        if (cause instanceof SslAuthenticationException) {
            return new ConfigException("TLS handshake with the Kafka cluster at " + servers + " failed: check "
                    + ServiceConfig.KAFKA_PREFIX + "ssl.truststore.location (and its password and type). "
                    + firstLine(cause.getMessage()));
        }
        if (cause instanceof org.apache.kafka.common.config.ConfigException
                || cause instanceof IllegalArgumentException && String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT)
                        .contains("jaas")) {
            return new ConfigException("Invalid Kafka client security settings (" + ServiceConfig.KAFKA_PREFIX
                    + "sasl.jaas.config, " + ServiceConfig.KAFKA_PREFIX + "ssl.*): " + firstLine(cause.getMessage()));
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
