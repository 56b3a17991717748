package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.within;
import io.maskstream.model.Architectures;
import io.maskstream.model.InputSpec;
import io.maskstream.synthetic.SyntheticDataset;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.trainer.cli.TrainCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.stream.Collectors;
import picocli.CommandLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.model.EnsembleVote;
import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.McDropout;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.Prediction;
import io.maskstream.runtime.config.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.maskstream.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingJobTest {

    /** {@code train --no-publish}: no broker needed, and the model is not thrown away. */
    @Test
    void withoutPublishingTheTrainedBundleIsStillWrittenToTheOutputDirectory(@TempDir Path dir) throws Exception {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.EPOCHS, "1",
                TrainerConfig.OUTPUT_DIR, dir.resolve("models").toString(), "bootstrap.servers", "127.0.0.1:1")));
        TrainingJob job = new TrainingJob(config);
        List<Sample> samples = SyntheticSamples.of(40, 5, new ModelTrainer(config).preprocessor());

        TrainingJob.Outcome outcome = job.run(samples, "synthetic", false, false);

        assertThat(outcome.release()).isNull();
        assertThat(outcome.bundleFile()).isRegularFile().hasParent(dir.resolve("models"));
        assertThat(ModelBundle.read(outcome.bundleFile()).metadata().version())
                .isEqualTo(outcome.result().bundle().metadata().version());
        assertThat(Files.size(outcome.bundleFile())).isEqualTo(outcome.result().bundle().toBytes().length);
    }

    /** {@code train --ensemble 2 --ensemble-by fold --vote hard --no-publish}: one ensemble bundle holding both members. */
    @Test
    void anOutOfFoldEnsembleIsWrittenAsOneBundleHoldingEveryMemberScoredOnTheSameHoldout(@TempDir Path dir)
            throws Exception {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.EPOCHS, "1",
                TrainerConfig.OUTPUT_DIR, dir.resolve("models").toString(), "bootstrap.servers", "127.0.0.1:1",
                TrainerConfig.ENSEMBLE_MEMBERS, "2", TrainerConfig.ENSEMBLE_BY, "fold", TrainerConfig.ENSEMBLE_VOTE, "hard")));
        List<Sample> samples = SyntheticSamples.of(30, 5, new ModelTrainer(config).preprocessor());

        TrainingJob.Outcome outcome = new TrainingJob(config).run(samples, "synthetic", false, false);

        EnsembleTraining.Result e = outcome.ensemble();
        assertThat(e.members()).extracting(EnsembleTraining.Member::fold).containsExactly(0, 1);
        ModelBundle read = ModelBundle.read(outcome.bundleFile());
        assertThat(read.isEnsemble()).isTrue();
        assertThat(read.vote()).contains(EnsembleVote.HARD);
        assertThat(read.members()).extracting(ModelBundle::sha256)
                .containsExactlyElementsOf(e.members().stream().map(m -> m.result().bundle().sha256()).toList());
        assertThat(e.holdout().total()).as("members and ensemble on the same photos")
                .isEqualTo(e.members().get(0).holdout().total()).isEqualTo(e.members().get(1).holdout().total());
        assertThat(e.gate().total()).isEqualTo(outcome.gate().gate().size());
        assertThat(outcome.result().holdout().getMacroF1()).isEqualTo(e.holdout().macroF1());
        assertThat(e.holdoutDescription()).contains("no member trained or early-stopped on");
    }

    @Test
    void badEnsembleSettingsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.ENSEMBLE_ARCHITECTURES,
                "fastnet,efficientnet")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(TrainerConfig.ENSEMBLE_ARCHITECTURES).hasMessageContaining("efficientnet");
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.ENSEMBLE_BY, "bagging"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TrainerConfig.ENSEMBLE_BY);
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.ENSEMBLE_MEMBERS, "17"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TrainerConfig.ENSEMBLE_MEMBERS);
        TrainerConfig one = new TrainerConfig(ConfigSource.of(Map.of()));
        assertThatThrownBy(() -> EnsembleTraining.train(one, List.of(), List.of(), "e", "none"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TrainerConfig.ENSEMBLE_MEMBERS + " is 1");
    }

    /**
     * trainer.dropout: the same seed trains other weights with it (dropout is on in training), the bundle records the
     * rate and the holdout calibration, and it loads and serves MC-dropout like any bundle.
     */
    @Test
    void trainingWithFeatureDropoutRecordsItsRateAndHoldoutCalibration(@TempDir Path dir) throws Exception {
        Map<String, String> settings = Map.of(TrainerConfig.EPOCHS, "1", TrainerConfig.OUTPUT_DIR, dir.toString(),
                TrainerConfig.AUGMENT, "false");
        TrainerConfig plain = new TrainerConfig(ConfigSource.of(settings));
        Map<String, String> withDropout = new java.util.HashMap<>(settings);
        withDropout.put(TrainerConfig.DROPOUT, "0.5");
        TrainerConfig dropped = new TrainerConfig(ConfigSource.of(withDropout));
        List<Sample> samples = SyntheticSamples.of(30, 5, new ModelTrainer(plain).preprocessor());
        PersonSplit split = PersonSplit.of(samples, 0.25, 3);

        ModelBundle a = new ModelTrainer(plain).train(split, "no-dropout", "synthetic").bundle();
        ModelBundle b = new ModelTrainer(dropped).train(split, "dropout", "synthetic").bundle();

        assertThat(b.sha256()).as("dropout changed what was learned").isNotEqualTo(a.sha256());
        Map<String, String> summary = b.metadata().trainingSummary();
        assertThat(summary).containsEntry(ModelTrainer.DROPOUT_KEY, "0.5");
        assertThat(a.metadata().trainingSummary()).doesNotContainKey(ModelTrainer.DROPOUT_KEY);
        assertThat(Double.parseDouble(summary.get(ModelTrainer.HOLDOUT_ECE_KEY))).isBetween(0.0, 1.0);
        assertThat(summary.get(ModelTrainer.HOLDOUT_ECE_MC_KEY)).endsWith("(8 passes at rate 0.5)");
        assertThat(summary.get("recipe")).endsWith(", dropout 0.5");
        try (Classifier served = Classifier.load(ModelBundle.read(b.toBytes()), new ComputeSettings("auto", 1, 1))) {
            Prediction p = served.classify(List.of(split.holdout().get(0).image()), false, new McDropout(4, 0.5, 1)).get(0);
            assertThat(p.uncertainty().passes()).isEqualTo(4);
        }
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.DROPOUT, "0.95"))))
                .hasMessageContaining(TrainerConfig.DROPOUT);
    }

    @Test
    void theSameSearchSeedDrawsTheSameRecipesFromTheDocumentedSpaceAndAnotherSeedOthers() {
        InputSpec fastnet = Architectures.defaultInput(Architectures.FASTNET);

        List<RecipeSearch.Recipe> a = RecipeSearch.draw(8, 7, fastnet);
        List<RecipeSearch.Recipe> b = RecipeSearch.draw(8, 7, fastnet);
        List<RecipeSearch.Recipe> other = RecipeSearch.draw(8, 8, fastnet);

        assertThat(a).isEqualTo(b);
        assertThat(a.get(0).overrides()).as("trial 1 is the configured recipe").isEmpty();
        assertThat(other.get(0)).isEqualTo(a.get(0));
        assertThat(other.subList(1, 8)).doesNotContainAnyElementsOf(a.subList(1, 8));
        assertThat(a.stream().map(RecipeSearch.Recipe::overrides).distinct()).hasSize(8);
        for (RecipeSearch.Recipe r : a.subList(1, 8)) {
            Map<String, String> o = r.overrides();
            assertThat(Double.parseDouble(o.get(TrainerConfig.LEARNING_RATE))).isBetween(3e-4 * 0.99, 1e-2 * 1.01);
            assertThat(o.get(TrainerConfig.LOSS)).isIn("ce", "weighted-ce", "focal");
            assertThat(o.containsKey(TrainerConfig.FOCAL_GAMMA)).isEqualTo(o.get(TrainerConfig.LOSS).equals("focal"));
            assertThat(o.get(TrainerConfig.AGE_BANDS)).isIn("30,60", "30,59", "30,58", "30,57");
            assertThat(o.get(TrainerConfig.INPUT_SIZE)).isIn("72x96", "96x128", "120x160");
            // every drawn recipe is a valid configuration
            TrainerConfig config = new TrainerConfig(ConfigSource.of(o));
            assertThat(config.input().width() % 8).isZero();
        }
        assertThatThrownBy(() -> RecipeSearch.draw(0, 7, fastnet)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 recipe");
    }

    /**
     * {@code train --search}: the same seed gives the same ranking and figures on tiny data (one run through the API, one
     * through the command, whose printed table must match), and the kept model is the top row's.
     */

    @Test
    void aSearchRepeatsItsRankedTableAndKeepsTheTopRowsModel(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        SyntheticDataset.write(data, new SyntheticFaces(SyntheticOptions.defaults(11)), 36, 0, 1);
        Map<String, String> keys = Map.of(TrainerConfig.OUTPUT_DIR, dir.resolve("models").toString(),
                TrainerConfig.PATIENCE, "1", "bootstrap.servers", "127.0.0.1:1");
        TrainerConfig config = new TrainerConfig(ConfigSource.of(keys));
        List<Sample> samples = new TrainingJob(config).loadFolder(data);

        RecipeSearch.Outcome outcome = new RecipeSearch(config).run(samples, "synthetic", 3, 5, 1, false, false);

        assertThat(outcome.ranked()).hasSize(3);
        assertThat(outcome.ranked()).extracting(t -> t.holdout().getMacroF1())
                .isSortedAccordingTo((x, y) -> Double.compare(y, x));
        RecipeSearch.Trial top = outcome.best();
        ModelBundle kept = ModelBundle.read(outcome.kept().bundleFile());
        assertThat(kept.metadata().trainingSummary().get("search")).contains("trial " + top.recipe().trial() + ",");
        assertThat(kept.metadata().trainingSummary().get("holdoutMacroF1"))
                .isEqualTo(String.format(java.util.Locale.ROOT, "%.4f", top.holdout().getMacroF1()));
        assertThat(kept.metadata().input()).as("the kept bundle records its trial's input size").isEqualTo(
                top.recipe().overrides().isEmpty() ? config.input()
                        : TrainerConfig.parseInputSize(top.recipe().overrides().get(TrainerConfig.INPUT_SIZE)));
        try (Classifier served = Classifier.load(kept, new ComputeSettings("auto", 1, 1))) {
            assertThat(ModelTrainer.evaluate(served, outcome.split().holdout(), true, 32).macroF1())
                    .isCloseTo(top.holdout().getMacroF1(), within(1e-6));
        }

        String[] args = new String[] {"--dataset", data.toString(), "--search", "3", "--search-seed", "5",
            "--search-epochs", "1", "--no-publish"};
        String printed = runTrain(keys, args);

        assertThat(withoutSecondsPerEpoch(printed)).contains(withoutSecondsPerEpoch(RecipeSearch.table(outcome.ranked())));
        assertThat(printed).contains("Kept trial " + top.recipe().trial() + " (rank 1)");
    }

    @Test
    void searchOptionsThatCannotWorkAreRefusedNamingTheOption(@TempDir Path dir) {
        assertThat(runTrainFailing("--dataset", dir.toString(), "--search", "0")).contains("--search needs at least 1");
        assertThat(runTrainFailing("--dataset", dir.toString(), "--search-epochs", "2"))
                .contains("--search-epochs only applies to --search N");
        assertThat(runTrainFailing("--dataset", dir.toString(), "--search", "2", "--compare"))
                .contains("--search and --compare cannot be combined");
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.INPUT_SIZE, "96by128"))))
                .hasMessageContaining(TrainerConfig.INPUT_SIZE).hasMessageContaining("WIDTHxHEIGHT");
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.INPUT_SIZE, "4x128"))))
                .hasMessageContaining(TrainerConfig.INPUT_SIZE).hasMessageContaining("8..4096");
        assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.AUGMENT_STRENGTH, "-1"))))
                .hasMessageContaining(TrainerConfig.AUGMENT_STRENGTH);
    }

    @Test
    void augmentationAtStrengthOneIsTheUnscaledAugmentationAndZeroOnlyFlips() {
        TrainerConfig config = new TrainerConfig(ConfigSource.of(Map.of()));
        assertThat(config.getDouble(TrainerConfig.AUGMENT_STRENGTH)).isEqualTo(1.0);
        List<Sample> samples = SyntheticSamples.of(2, 9, new ModelTrainer(config).preprocessor());
        Augmenter unscaled = new Augmenter(3);
        Augmenter one = new Augmenter(3, 1.0);
        Augmenter zero = new Augmenter(3, 0.0);
        for (Sample s : samples) {
            byte[] in = s.image().rgb();
            assertThat(one.apply(s.image()).rgb()).isEqualTo(unscaled.apply(s.image()).rgb());
            byte[] flat = zero.apply(s.image()).rgb();
            int w = s.image().width();
            int h = s.image().height();
            assertThat(Arrays.equals(flat, in) || Arrays.equals(flat, Augmenter.flip(in, w, h)))
                    .as("strength 0 leaves the image or its mirror").isTrue();
        }
        assertThatThrownBy(() -> new Augmenter(1, Double.NaN)).hasMessageContaining("strength");
    }

    private static String runTrain(Map<String, String> keys, String... args) {
        List<String> all = new java.util.ArrayList<>(Arrays.asList(args));
        keys.forEach((k, v) -> all.addAll(List.of("--set", k + "=" + v)));
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new TrainCommand()).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));
        } finally {
            System.setOut(original);
        }
        assertThat(code).as("train exit code; stderr: %s", err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String runTrainFailing(String... args) {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new TrainCommand()).setErr(new PrintWriter(err)).execute(args);
        assertThat(code).isNotZero();
        return err.toString();
    }

    /** The table without its s/epoch column (wall-clock time, the one figure that differs between runs). */

    private static String withoutSecondsPerEpoch(String text) {
        return text.lines().map(l -> l.replaceFirst("^(\\s*\\d+\\s+\\d+(?:\\s+[\\d.]+){7})\\s+[\\d.]+", "$1"))
                .collect(Collectors.joining("\n"));
    }
}
