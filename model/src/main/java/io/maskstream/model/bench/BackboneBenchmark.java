package io.maskstream.model.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.maskstream.model.Architectures;
import io.maskstream.model.BundleMetadata;
import io.maskstream.model.Classifier;
import io.maskstream.model.Compute;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ImportedBackbone;
import io.maskstream.model.InputSpec;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.PreparedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cost of an imported backbone against the built-in network it imitates, measured side by side in one run: a
 * training step (forward and backward of batch 8, the three heads' cross-entropy) and inference as served
 * ({@link Classifier#load}: the built-in network with batch norm folded, the imported module as it is), batch 16, in
 * ms per photo, one intra-op thread, in alternating rounds so that a shared machine's drift hits both alike.
 *
 * <p>Arguments: the TorchScript file (e.g. torchvision's resnet18 with {@code fc = Identity()}), then optionally the
 * built-in architecture to compare with (resnet18), the input WIDTHxHEIGHT (192x256) and the rounds (5).
 */
public final class BackboneBenchmark {

    private static final int TRAIN_BATCH = 8;
    private static final int SERVE_BATCH = 16;

    private BackboneBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BackboneBenchmark FILE.pt [architecture=resnet18] [WIDTHxHEIGHT=192x256] [rounds=5]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String architecture = args.length > 1 ? args[1] : Architectures.RESNET18;
        String[] size = (args.length > 2 ? args[2] : "192x256").split("x");
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        InputSpec input = InputSpec.imagenet(Integer.parseInt(size[0]), Integer.parseInt(size[1]));
        ComputeSettings oneThread = new ComputeSettings("cpu", 1, 1);
        Engine engine = Compute.engine(oneThread);
        engine.setRandomSeed(1);
        System.out.printf(Locale.ROOT, "%s (imported) against built-in %s at %dx%d, 1 intra-op thread, %d rounds, load "
                        + "average %.2f%n", file.getFileName(), architecture, input.width(), input.height(), rounds,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try (NDManager manager = engine.newBaseManager(Device.cpu())) {
            Shape in = new Shape(TRAIN_BATCH, 3, input.height(), input.width());
            ImportedBackbone backbone = ImportedBackbone.read(file);
            Block imported = backbone.network(HeadLayout.MULTI_HEAD, input, manager);
            imported.initialize(manager, DataType.FLOAT32, in);
            Block builtin = Architectures.build(architecture, HeadLayout.MULTI_HEAD);
            builtin.initialize(manager, DataType.FLOAT32, in);
            NDArray x = manager.randomNormal(in);
            NDList labels = new NDList(manager.create(new int[] {0, 1, 2, 0, 1, 2, 0, 1}),
                    manager.create(new int[] {0, 1, 0, 1, 0, 1, 0, 1}), manager.create(new int[] {2, 1, 0, 2, 1, 0, 2, 1}));
            double[][] train = alternate(rounds, () -> step(engine, builtin, manager, x, labels),
                    () -> step(engine, imported, manager, x, labels), TRAIN_BATCH);
            report("training step, batch " + TRAIN_BATCH, architecture, train);

            BundleMetadata builtinMeta = BundleMetadata.of("builtin", architecture, HeadLayout.MULTI_HEAD, input, null);
            BundleMetadata importedMeta = BundleMetadata.of("imported", Architectures.TORCHSCRIPT, HeadLayout.MULTI_HEAD,
                    input, null).withBackbone(backbone.describe(imported));
            List<PreparedImage> images = new ArrayList<>();
            for (int i = 0; i < SERVE_BATCH; i++) {
                images.add(PreparedImage.black(input.width(), input.height()));
            }
            try (Classifier a = Classifier.load(ModelBundle.fromBlock(builtin, builtinMeta), oneThread);
                 Classifier b = Classifier.load(ModelBundle.fromBlock(imported, importedMeta), oneThread)) {
                double[][] serve = alternate(rounds, () -> a.classify(images), () -> b.classify(images), SERVE_BATCH);
                report("inference as served, batch " + SERVE_BATCH, architecture, serve);
            }
        }
    }

    private static void step(Engine engine, Block block, NDManager manager, NDArray x, NDList labels) {
        try (NDManager step = manager.newSubManager(); GradientCollector collector = engine.newGradientCollector()) {
            NDList out = block.forward(new ParameterStore(step, false), new NDList(x), true);
            NDArray loss = null;
            for (int h = 0; h < out.size(); h++) {
                NDArray l = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels.get(h)), new NDList(out.get(h)));
                loss = loss == null ? l : loss.add(l);
            }
            collector.backward(loss);
        }
    }

    /** Per round, ms per photo of {@code a} then {@code b}, after one warm-up of each. */
    private static double[][] alternate(int rounds, Runnable a, Runnable b, int photos) {
        a.run();
        b.run();
        double[][] out = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            out[0][r] = time(a) / photos;
            out[1][r] = time(b) / photos;
        }
        return out;
    }

    private static double time(Runnable run) {
        long start = System.nanoTime();
        run.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static void report(String what, String architecture, double[][] ms) {
        double[] ratios = new double[ms[0].length];
        for (int r = 0; r < ratios.length; r++) {
            ratios[r] = ms[1][r] / ms[0][r];
        }
        System.out.printf(Locale.ROOT, "%s: built-in %s %.1f ms/photo, imported %.1f ms/photo (medians); imported / "
                        + "built-in per round: median %.2f, %s%n", what, architecture, median(ms[0]), median(ms[1]),
                median(ratios), Arrays.toString(Arrays.stream(ratios).map(v -> Math.round(v * 100) / 100.0).toArray()));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
