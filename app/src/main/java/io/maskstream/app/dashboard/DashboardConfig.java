package io.maskstream.app.dashboard;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.runtime.config.ServiceConfig;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of the dashboard ({@code maskstream dashboard}, and the stack's dashboard). */
public final class DashboardConfig extends ServiceConfig {

    public static final String HOST = "dashboard.host";
    public static final String PORT = "dashboard.port";
    public static final String SHOW_FRAMES = "dashboard.show.frames";
    public static final String REPORT_DIR = "dashboard.report.dir";

    public static final ConfigDef DEFINITION = CommonConfig.define(new ConfigDef())
            .define(HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Interface the dashboard's web server binds to (loopback by default: the page shows what cameras "
                            + "see; expose it deliberately, e.g. 0.0.0.0 behind an authenticating proxy).")
            .define(PORT, Type.INT, 8090, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the dashboard's web server (0: any free port, printed at start-up).")
            .define(SHOW_FRAMES, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Show the latest frame of each camera (reads the frames topic). Off by default for privacy: "
                            + "the dashboard then shows labels and counts only, never a face.")
            .define(REPORT_DIR, Type.STRING, "", Importance.LOW,
                    "Folder of evaluation reports (HTML, JSON, CSV); the dashboard links the newest ones and serves "
                            + "them read-only. Empty: no report links.");

    public DashboardConfig(ConfigSource source) {
        super(DEFINITION, source);
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
