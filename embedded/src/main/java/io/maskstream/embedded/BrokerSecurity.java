package io.maskstream.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a SASL_SSL + SCRAM-SHA-512 broker with the standard authorizer needs, made at run time and kept in one
 * directory: a throw-away CA, a broker key pair signed by it (SAN {@code IP:<host>}, so clients keep hostname
 * verification on), a truststore holding only that CA, and the super user's password. Made with the JDK's
 * {@code keytool}; nothing is downloaded. For tests and one-machine trials, never for production keys.
 */
public final class BrokerSecurity {

    /** The one SASL mechanism enabled on the secured listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The super user: formats the cluster with its credential, creates the others and the ACLs. */
    public static final String SUPER_USER = "admin";

    private final Path dir;
    private final String storePassword;
    private final String superUserPassword;

    private BrokerSecurity(Path dir, String storePassword, String superUserPassword) {
        this.dir = dir;
        this.storePassword = storePassword;
        this.superUserPassword = superUserPassword;
    }

    /** Makes the CA, the broker keystore and the truststore under {@code dir} for a broker reached at {@code host}. */
    public static BrokerSecurity create(Path dir, String host) throws IOException {
        Files.createDirectories(dir);
        BrokerSecurity s = new BrokerSecurity(dir, secret(), secret());
        String ca = dir.resolve("ca.p12").toString();
        String caCert = dir.resolve("ca.crt").toString();
        String csr = dir.resolve("broker.csr").toString();
        String signed = dir.resolve("broker.crt").toString();
        String pw = s.storePassword;
        s.keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=maskstream test CA", "-ext", "bc:c", "-keystore", ca, "-storetype", "PKCS12",
                "-storepass", pw, "-keypass", pw);
        s.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", pw, "-file", caCert);
        s.keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + host, "-keystore", s.keystore().toString(), "-storetype", "PKCS12",
                "-storepass", pw, "-keypass", pw);
        s.keytool("-certreq", "-alias", "broker", "-keystore", s.keystore().toString(), "-storepass", pw, "-file", csr);
        s.keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", pw, "-infile", csr,
                "-outfile", signed, "-validity", "2", "-ext", "san=" + (host.matches("[0-9.:]+") ? "ip:" : "dns:") + host);
        s.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert, "-keystore", s.keystore().toString(),
                "-storepass", pw);
        s.keytool("-importcert", "-noprompt", "-alias", "broker", "-file", signed, "-keystore", s.keystore().toString(),
                "-storepass", pw);
        s.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert, "-keystore", s.truststore().toString(),
                "-storetype", "PKCS12", "-storepass", pw);
        return s;
    }

    private static String secret() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed; see " + log + ": "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running keytool", e);
        }
    }

    /** The broker's PKCS12 keystore (its key, its certificate and the CA). */
    public Path keystore() {
        return dir.resolve("broker.p12");
    }

    /** The PKCS12 truststore clients use: the CA alone. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** A TLS context trusting {@link #truststore()}, for HTTP clients of services using the broker's key pair. */
    public javax.net.ssl.SSLContext clientTlsContext() {
        try (java.io.InputStream in = Files.newInputStream(truststore())) {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(in, storePassword.toCharArray());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load " + truststore() + ": " + e.getMessage(), e);
        }
    }

    /** The same truststore as schema registry client settings ({@code kafka.schema.registry.ssl.truststore.*}). */
    public Map<String, String> registrySettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.schema.registry.ssl.truststore.location", truststore().toString());
        s.put("kafka.schema.registry.ssl.truststore.password", storePassword);
        s.put("kafka.schema.registry.ssl.truststore.type", "PKCS12");
        return s;
    }

    /** Password of both stores (and of the broker key). */
    public String storePassword() {
        return storePassword;
    }

    String superUserPassword() {
        return superUserPassword;
    }

    /** The JAAS line of a SCRAM client logging in as {@code user}. */
    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Kafka client settings (no prefix) for {@code user}: SASL_SSL, SCRAM-SHA-512, the truststore. */
    public Map<String, Object> clientProperties(String user, String password) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaasConfig(user, password));
        p.put("ssl.truststore.location", truststore().toString());
        p.put("ssl.truststore.password", storePassword);
        p.put("ssl.truststore.type", "PKCS12");
        return p;
    }

    /** The same settings as maskstream configuration keys ({@code kafka.*}, passed to every client untouched). */
    public Map<String, String> serviceSettings(String user, String password) {
        Map<String, String> s = new LinkedHashMap<>();
        clientProperties(user, password).forEach((k, v) -> s.put("kafka." + k, v.toString()));
        return s;
    }

    /** Broker settings for a SASL_SSL listener named {@code SASL_SSL}; the caller sets listeners and the protocol map. */
    Map<String, String> brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaasConfig(SUPER_USER, superUserPassword));
        p.put("ssl.keystore.location", keystore().toString());
        p.put("ssl.keystore.password", storePassword);
        p.put("ssl.key.password", storePassword);
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.truststore.location", truststore().toString());
        p.put("ssl.truststore.password", storePassword);
        p.put("ssl.truststore.type", "PKCS12");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        // The controller listener stays PLAINTEXT on loopback inside this one process: its callers (the broker half of
        // this node) are ANONYMOUS there, and must be super users or the broker cannot register.
        p.put("super.users", "User:" + SUPER_USER + ";User:ANONYMOUS");
        return p;
    }

    /** The {@code --add-scram} argument of {@code kafka-storage format}: the super user exists before the first start. */
    String formatScramArgument() {
        return MECHANISM + "=[name=" + SUPER_USER + ",password=" + superUserPassword + "]";
    }
}
