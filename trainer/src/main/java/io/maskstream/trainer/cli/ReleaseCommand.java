package io.maskstream.trainer.cli;

import io.maskstream.events.ModelRelease;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.trainer.Releases;
import io.maskstream.trainer.TrainerConfig;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code maskstream release list|promote|rollback}. */
@Command(name = "release", mixinStandardHelpOptions = true, description = "Model releases: list, promote, roll back.",
        subcommands = {ReleaseCommand.ListReleases.class, ReleaseCommand.Promote.class, ReleaseCommand.Rollback.class})
public final class ReleaseCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every release with its status and metrics.")
    static final class ListReleases implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Override
        public Integer call() {
            System.out.printf(Locale.ROOT, "%-28s %-9s %-9s %9s %9s  %-24s %s%n", "version", "status", "arch", "macro-F1",
                    "accuracy", "created", "notes");
            for (ModelRelease r : new Releases(new TrainerConfig(config.source())).list()) {
                System.out.printf(Locale.ROOT, "%-28s %-9s %-9s %9s %9s  %-24s %s%n", r.getVersion(), r.getStatus(),
                        r.getArchitecture(), r.getMetrics() == null ? "-" : String.format(Locale.ROOT, "%.4f",
                                r.getMetrics().getMacroF1()), r.getMetrics() == null ? "-" : String.format(Locale.ROOT, "%.4f",
                                r.getMetrics().getAccuracy()), r.getCreatedTime(), r.getNotes() == null ? "" : r.getNotes());
            }
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Make a release ACTIVE without the gate (the gate runs when a model is trained).")
    static final class Promote implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;
        @Option(names = "--force", description = "Required: acknowledges that the promotion gate is skipped.")
        boolean force;

        @Override
        public Integer call() {
            if (!force) {
                System.err.println("The promotion gate runs when a model is trained; to activate " + version
                        + " regardless of its metrics, add --force.");
                return 2;
            }
            ModelRelease r = new Releases(new TrainerConfig(config.source())).promote(version);
            System.out.println(r.getVersion() + " is ACTIVE");
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Re-activate the given release, or the most recently retired one; retire the active one.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        ConfigOptions config;
        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION")
        String version;

        @Override
        public Integer call() {
            ModelRelease r = new Releases(new TrainerConfig(config.source())).rollback(version);
            System.out.println(r.getVersion() + " is ACTIVE again");
            return 0;
        }
    }
}
