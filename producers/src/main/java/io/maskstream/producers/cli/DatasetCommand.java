package io.maskstream.producers.cli;

import io.maskstream.synthetic.SyntheticDataset;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.runtime.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code maskstream dataset ...}: dataset tools. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Dataset tools.",
        subcommands = DatasetCommand.Synth.class)
public final class DatasetCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code dataset synth}: writes a synthetic dataset in the competition layout. */
    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write a synthetic dataset in the competition layout (train/ with train.csv, eval/ with "
                    + "info.csv and the truth in eval/labels.csv). Same seed, same bytes.")
    public static final class Synth implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Parameters(index = "0", paramLabel = "OUT_DIR", description = "Output folder (must not hold train/ or eval/).")
        Path out;

        @Option(names = "--persons", required = true, description = "Train persons (7 photos each).")
        int persons;

        @Option(names = "--eval-persons", description = "Eval persons (7 photos each; default: a fifth of --persons).")
        Integer evalPersons;

        @Option(names = "--seed", defaultValue = "42", description = "Generator seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--size", defaultValue = "384x512", description = "Image size WIDTHxHEIGHT (default ${DEFAULT-VALUE}).")
        String size;

        @Option(names = "--male-share", defaultValue = "0.4", description = "Share of male persons (default ${DEFAULT-VALUE}).")
        double maleShare;

        @Option(names = "--age-shares", defaultValue = "0.45,0.45,0.10", split = ",",
                description = "Weights of the age bands <30, 30-59, >=60 (default ${DEFAULT-VALUE}).")
        double[] ageShares;

        @Option(names = "--extension-shares", defaultValue = "0.8,0.1,0.1", split = ",",
                description = "Weights of .jpg, .png, .jpeg files (default ${DEFAULT-VALUE}).")
        double[] extensionShares;

        @Option(names = "--threads", description = "Rendering threads (default: available processors).")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            config.source(); // validates --config/--set like every command, though no key is needed here
            String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
            if (wh.length != 2 || persons < 0 || (evalPersons != null && evalPersons < 0) || ageShares.length != 3
                    || extensionShares.length != 3) {
                throw new CommandLine.ParameterException(new CommandLine(this), "need --size WxH, --persons >= 0, "
                        + "three --age-shares and three --extension-shares");
            }
            SyntheticOptions options;
            try {
                options = SyntheticOptions.defaults(seed).withSize(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()))
                        .withMaleShare(maleShare).withAgeShares(ageShares[0], ageShares[1], ageShares[2])
                        .withExtensionShares(extensionShares[0], extensionShares[1], extensionShares[2]);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            int eval = evalPersons != null ? evalPersons : persons / 5;
            int t = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
            SyntheticDataset.Summary s = SyntheticDataset.write(out, new SyntheticFaces(options), persons, eval, t);
            System.out.println("Wrote " + out + ": " + s.describe());
            return 0;
        }
    }
}
