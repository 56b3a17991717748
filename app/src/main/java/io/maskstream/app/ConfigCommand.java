package io.maskstream.app;

import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigDefinitions;
import io.maskstream.runtime.config.ConfigDocs;
import io.maskstream.runtime.config.ServiceConfig;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;

/** {@code maskstream config docs}: prints the configuration reference (README's section is made with it). */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Configuration reference.",
        subcommands = ConfigCommand.Docs.class)
public final class ConfigCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "docs", mixinStandardHelpOptions = true,
            description = "Print every configuration key of every service as Markdown.")
    static final class Docs implements Runnable {
        @Override
        public void run() {
            System.out.print(markdown());
        }
    }

    /** The reference: common keys once, then each service's own keys. */
    static String markdown() {
        StringBuilder sb = new StringBuilder();
        ConfigDef common = CommonConfig.define(new ConfigDef());
        sb.append("### Common keys (every service)\n\n").append(ConfigDocs.markdown(common)).append('\n');
        Set<String> commonNames = new TreeSet<>(common.names());
        for (ConfigDefinitions d : ServiceConfig.allDefinitions()) {
            ConfigDef own = new ConfigDef();
            d.definition().configKeys().values().stream().filter(k -> !commonNames.contains(k.name)).forEach(own::define);
            sb.append("### ").append(d.service()).append("\n\n").append(ConfigDocs.markdown(own)).append('\n');
        }
        return sb.toString();
    }
}
