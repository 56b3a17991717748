package io.maskstream.app.dashboard;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the dashboard ({@code maskstream dashboard}, and the stack's dashboard). Besides each key's own
 * validator, the constructor refuses what one key alone cannot: a dashboard bound beyond loopback without
 * credentials (with or without frames: the page always shows per-camera labels, gender and age), and half a
 * Basic credential.
 */
public final class DashboardConfig extends ServiceConfig {

    public static final String HOST = "dashboard.host";
    public static final String PORT = "dashboard.port";
    public static final String SHOW_FRAMES = "dashboard.show.frames";
    public static final String REPORT_DIR = "dashboard.report.dir";
    public static final String EVALUATION_METRICS_URL = "dashboard.evaluation.metrics.url";
    public static final String AUTH_TOKEN = "dashboard.auth.token";
    public static final String AUTH_BASIC_USER = "dashboard.auth.basic.user";
    public static final String AUTH_BASIC_PASSWORD = "dashboard.auth.basic.password";

    public static final ConfigDef DEFINITION = CommonConfig.define(new ConfigDef())
            .define(HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Interface the dashboard's web server binds to (loopback by default: the page shows what cameras "
                            + "see). Any other address (e.g. 0.0.0.0) requires " + AUTH_TOKEN + " or " + AUTH_BASIC_USER
                            + " and " + AUTH_BASIC_PASSWORD + ": start-up is refused without them.")
            .define(PORT, Type.INT, 8090, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the dashboard's web server (0: any free port, printed at start-up).")
            .define(SHOW_FRAMES, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Show the latest frame of each camera (reads the frames topic). Off by default for privacy: "
                            + "the dashboard then shows labels and counts only, never a face.")
            .define(REPORT_DIR, Type.STRING, "", Importance.LOW,
                    "Folder of evaluation reports (HTML, JSON, CSV); the dashboard links the newest ones and serves "
                            + "them read-only. Empty: no report links.")
            .define(EVALUATION_METRICS_URL, Type.STRING, "", Importance.LOW,
                    "The online evaluation's metrics endpoint (e.g. http://127.0.0.1:9404/metrics of `maskstream "
                            + "evaluate-online`), read every few seconds for the live figures per model version (live "
                            + "macro-F1, agreement with the active model) shown beside the releases. Empty: not shown.")
            .define(AUTH_TOKEN, Type.PASSWORD, "", Importance.HIGH,
                    "Bearer token every dashboard request must carry (Authorization: Bearer <token>); empty: none. "
                            + "With it or Basic credentials set, every path needs them, on loopback too. Never logged.")
            .define(AUTH_BASIC_USER, Type.STRING, "", Importance.HIGH,
                    "User name of HTTP Basic authentication for the dashboard (what a browser prompts for); set "
                            + "together with " + AUTH_BASIC_PASSWORD + ". Empty: no Basic authentication.")
            .define(AUTH_BASIC_PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                    "Password of HTTP Basic authentication for the dashboard; set together with " + AUTH_BASIC_USER
                            + ". Never logged.");

    public DashboardConfig(ConfigSource source) {
        super(DEFINITION, source);
        boolean user = !getString(AUTH_BASIC_USER).isEmpty();
        boolean password = !secret(AUTH_BASIC_PASSWORD).isEmpty();
        if (user != password) {
            String missing = user ? AUTH_BASIC_PASSWORD : AUTH_BASIC_USER;
            String given = user ? AUTH_BASIC_USER : AUTH_BASIC_PASSWORD;
            throw new ConfigException("Missing configuration " + missing + ": Basic authentication needs both "
                    + AUTH_BASIC_USER + " and " + AUTH_BASIC_PASSWORD + " (" + given + " from " + source.originOf(given) + ")");
        }
        String host = getString(HOST);
        if (!loopback(host) && !authentication().required()) {
            throw new ConfigException("The dashboard would serve " + (getBoolean(SHOW_FRAMES) ? "camera frames and " : "")
                    + "per-camera labels to the network without authentication: " + HOST + "=" + host + " (from "
                    + source.originOf(HOST) + ") is not a loopback address. Set " + AUTH_TOKEN + ", or "
                    + AUTH_BASIC_USER + " and " + AUTH_BASIC_PASSWORD + ", or bind " + HOST + " to 127.0.0.1");
        }
        evaluationMetricsUri();
    }

    /** The online evaluation's metrics endpoint, when one is configured. */
    Optional<java.net.URI> evaluationMetricsUri() {
        String url = getString(EVALUATION_METRICS_URL).trim();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        try {
            java.net.URI uri = new java.net.URI(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new java.net.URISyntaxException(url, "not an http(s) URL with a host");
            }
            return Optional.of(uri);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException("Invalid configuration " + EVALUATION_METRICS_URL + "=" + url + ": " + e.getMessage());
        }
    }

    /** The credentials every request must carry; {@link DashboardAuth#required()} false when none are set. */
    DashboardAuth authentication() {
        return new DashboardAuth(secret(AUTH_TOKEN), getString(AUTH_BASIC_USER), secret(AUTH_BASIC_PASSWORD));
    }

    private String secret(String key) {
        Password p = getPassword(key);
        return p == null ? "" : p.value();
    }

    /** True when {@code host} names only loopback (127.0.0.0/8, ::1, a name resolving to them). */
    static boolean loopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host.trim());
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false; // unresolvable: the bind fails anyway, and we do not assume it is private
        }
    }

    /** The report folder, when one is configured. */
    public Optional<Path> reportDir() {
        String dir = getString(REPORT_DIR).trim();
        return dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /** Publishes the dashboard's keys to the shared configuration catalogue. */
    public static final class Definitions implements ConfigDefinitions {
        @Override
        public String service() {
            return "dashboard";
        }

        @Override
        public ConfigDef definition() {
            return DEFINITION;
        }
    }
}
