package io.maskstream.producers.cli;

import io.maskstream.synthetic.SceneOptions;
import io.maskstream.synthetic.SyntheticDataset;
import io.maskstream.synthetic.SyntheticScenes;
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

    /** {@code dataset synth}: writes a synthetic dataset in the competition layout, or a COCO folder of scenes. */
    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write a synthetic dataset in the competition layout (train/ with train.csv, eval/ with "
                    + "info.csv and the truth in eval/labels.csv), or with --scenes a COCO folder of camera scenes "
                    + "(images/ and annotations.json: every face boxed and labelled). Same seed, same bytes.")
    public static final class Synth implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Parameters(index = "0", paramLabel = "OUT_DIR",
                description = "Output folder (must not hold train/ or eval/, or with --scenes annotations.json).")
        Path out;

        @Option(names = "--scenes", description = "Write a COCO folder of scenes instead of the competition layout.")
        boolean scenes;

        @Option(names = "--sequences", defaultValue = "12",
                description = "With --scenes: sequences (one camera and room each; default ${DEFAULT-VALUE}).")
        int sequences;

        @Option(names = "--frames", defaultValue = "20",
                description = "With --scenes: frames per sequence (default ${DEFAULT-VALUE}).")
        int frames;

        @Option(names = "--max-people", defaultValue = "4",
                description = "With --scenes: most people in one sequence (default ${DEFAULT-VALUE}).")
        int maxPeople;

        @Option(names = "--persons", description = "Train persons (7 photos each); required without --scenes.")
        Integer persons;

        @Option(names = "--eval-persons", description = "Eval persons (7 photos each; default: a fifth of --persons).")
        Integer evalPersons;

        @Option(names = "--seed", defaultValue = "42", description = "Generator seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--size", description = "Image size WIDTHxHEIGHT (default 384x512, with --scenes 640x480).")
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
            if (scenes) {
                return scenes();
            }
            if (persons == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--persons is required (or --scenes)");
            }
            String[] wh = (size == null ? "384x512" : size).toLowerCase(java.util.Locale.ROOT).split("x");
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

        private int scenes() throws Exception {
            String[] wh = (size == null ? "640x480" : size).toLowerCase(java.util.Locale.ROOT).split("x");
            if (wh.length != 2 || sequences < 0 || ageShares.length != 3) {
                throw new CommandLine.ParameterException(new CommandLine(this), "need --size WxH, --sequences >= 0 "
                        + "and three --age-shares");
            }
            SyntheticScenes generator;
            try {
                SyntheticOptions population = SyntheticOptions.defaults(seed).withMaleShare(maleShare)
                        .withAgeShares(ageShares[0], ageShares[1], ageShares[2]);
                SceneOptions options = SceneOptions.defaults()
                        .withSize(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()))
                        .withFramesPerSequence(frames).withMaxPeople(maxPeople);
                generator = new SyntheticScenes(new SyntheticFaces(population), options);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            int t = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
            SyntheticScenes.Summary s = generator.writeCoco(out, sequences, t);
            System.out.println("Wrote " + out + ": " + s.describe());
            return 0;
        }
    }
}
