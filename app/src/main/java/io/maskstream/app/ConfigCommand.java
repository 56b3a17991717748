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

    static final String START = "<!-- CONFIG-REFERENCE:START -->";
    static final String END = "<!-- CONFIG-REFERENCE:END -->";

    @Command(name = "docs", mixinStandardHelpOptions = true,
            description = "Print every configuration key of every service as Markdown.")
    static final class Docs implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Option(names = "--update", paramLabel = "README",
                description = "Rewrite the generated section of this file (between the CONFIG-REFERENCE markers).")
        java.nio.file.Path readme;

        @Override
        public Integer call() throws java.io.IOException {
            if (readme == null) {
                System.out.print(markdown());
                return 0;
            }
            String text = java.nio.file.Files.readString(readme);
            java.nio.file.Files.writeString(readme, withReference(text));
            System.out.println("Updated the configuration reference in " + readme);
            return 0;
        }
    }

    /** {@code text} with the part between the markers replaced by the current reference. */
    static String withReference(String text) {
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("No " + START + " ... " + END + " section");
        }
        return text.substring(0, start + START.length()) + "\n" + markdown() + text.substring(end);
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
