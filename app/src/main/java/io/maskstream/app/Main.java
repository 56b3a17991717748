package io.maskstream.app;

import io.maskstream.alerts.cli.AlertsCommand;
import io.maskstream.app.bench.BenchmarkCommand;
import io.maskstream.app.dashboard.DashboardCommand;
import io.maskstream.evaluation.cli.EvaluateCommand;
import io.maskstream.evaluation.cli.OnlineEvaluationCommand;
import io.maskstream.evaluation.cli.ScoreCommand;
import io.maskstream.trainer.cli.ReleaseCommand;
import io.maskstream.trainer.cli.TrainCommand;
import io.maskstream.processor.cli.ProcessCommand;
import io.maskstream.producers.cli.CameraCommand;
import io.maskstream.producers.cli.DatasetCommand;
import io.maskstream.runtime.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code maskstream} command. Every subcommand takes {@code --config FILE} and {@code --set key=value}. */
@Command(name = "maskstream", mixinStandardHelpOptions = true, version = "maskstream 0.1.0",
        description = "Face-mask classification on Kafka: cameras -> frames -> classifications -> alerts.",
        subcommands = {
            StackCommand.class,
            CameraCommand.class,
            DatasetCommand.class,
            ProcessCommand.class,
            TrainCommand.class,
            ReleaseCommand.class,
            AlertsCommand.class,
            DashboardCommand.class,
            EvaluateCommand.class,
            OnlineEvaluationCommand.class,
            ScoreCommand.class,
            ModelCommand.class,
            TopicsCommand.class,
            ConfigCommand.class,
            BenchmarkCommand.class,
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand registered; configuration errors print one clear line. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setExecutionExceptionHandler((e, c, parseResult) -> {
            Throwable root = e;
            while (root.getCause() != null && !(root instanceof ConfigException)) {
                root = root.getCause();
            }
            if (root instanceof ConfigException) {
                c.getErr().println("Configuration error: " + root.getMessage());
                return 2;
            }
            c.getErr().println("maskstream " + c.getCommandName() + " failed: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("failure", e);
            return 1;
        });
        return cmd;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
