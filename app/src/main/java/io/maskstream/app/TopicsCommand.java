package io.maskstream.app;

import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.config.ClusterConfig;
import io.maskstream.schemas.TopicAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code maskstream topics create}: creates the topics on an existing cluster and registers the schemas. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Manage maskstream's topics.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the missing topics and apply the BACKWARD schema policy (idempotent).")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Override
        public Integer call() throws Exception {
            var created = TopicAdmin.ensure(new ClusterConfig(config.source()));
            System.out.println(created.isEmpty() ? "All topics exist." : "Created " + created);
            return 0;
        }
    }
}
