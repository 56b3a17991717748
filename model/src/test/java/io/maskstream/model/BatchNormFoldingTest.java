package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchNormFoldingTest {

    private static final ComputeSettings CPU = new ComputeSettings("cpu", 0, 0);

    @Test
    void foldedFastnetClassifiesAsUnfolded() throws Exception {
        assertClassifiesAsUnfolded(Architectures.FASTNET, 7);
    }

    @Test
    void foldedResnet18ClassifiesAsUnfolded() throws Exception {
        assertClassifiesAsUnfolded(Architectures.RESNET18, 1 + 8 * 2 + 3);
    }

    @Test
    void foldedGridnetDetectsAsUnfolded() throws Exception {
        ModelBundle bundle = bundleWithLearntStatistics(Architectures.GRIDNET, HeadLayout.FACE_GRID);
        DetectorSettings anything = new DetectorSettings(0.01f, 0.4f, 5);
        List<DecodedImage> frames = List.of(new DecodedImage(TestImages.scene(640, 480, 1)),
                new DecodedImage(TestImages.scene(480, 480, 2)), new DecodedImage(TestImages.scene(320, 240, 3)));
        Block unfoldedNet = Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID);
        Block foldedNet = Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID);
        try (TrainedFaceDetector unfolded = TrainedFaceDetector.load(bundle, CPU, anything, unfoldedNet, false);
             TrainedFaceDetector folded = TrainedFaceDetector.load(bundle, CPU, anything, foldedNet, true)) {
            assertThat(count(unfolded.network(), BatchNorm.class)).isEqualTo(12);
            assertThat(count(folded.network(), BatchNorm.class)).isZero();
            assertThat(count(folded.network(), FoldedConv.class)).isEqualTo(12);

            ImagePreprocessor preprocessor = new ImagePreprocessor(bundle.metadata().input(), ImageLimits.defaults());
            List<PreparedImage> inputs = new ArrayList<>();
            for (DecodedImage frame : frames) {
                inputs.add(preprocessor.letterbox(frame));
            }
            float[] expected = grid(unfolded.network(), preprocessor, inputs);
            float[] actual = grid(folded.network(), preprocessor, inputs);
            assertThat(spread(expected)).as("the statistics make the grid non-trivial").isGreaterThan(0.5f);
            assertThat(BatchNormFolding.difference(expected, actual)).isLessThan(1e-4);

            List<List<Detection>> want = unfolded.detect(frames);
            List<List<Detection>> got = folded.detect(frames);
            for (int f = 0; f < frames.size(); f++) {
                assertThat(got.get(f)).hasSameSizeAs(want.get(f));
                for (int i = 0; i < got.get(f).size(); i++) {
                    assertThat(got.get(f).get(i).score()).isCloseTo(want.get(f).get(i).score(), within(1e-4f));
                    assertThat(got.get(f).get(i).box().iou(want.get(f).get(i).box())).isGreaterThan(0.999);
                }
            }
        }
    }

    @Test
    void aProbeThatDisagreesUndoesTheFolding() throws Exception {
        InputSpec input = Architectures.defaultInput(Architectures.FASTNET);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            Block block = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            List<String> names = new ArrayList<>(block.getParameters().keys());
            NDArray x = manager.randomNormal(new Shape(2, 3, input.height(), input.width()));
            float[] before = block.forward(new ParameterStore(manager, false), new NDList(x), false).get(0).toFloatArray();
            AtomicInteger runs = new AtomicInteger();

            int folded = BatchNormFolding.foldChecked(block, manager, () -> new float[] {runs.getAndIncrement()}, "test");

            assertThat(runs.get()).as("probed unfolded and folded").isEqualTo(2);
            assertThat(folded).isZero();
            assertThat(count(block, FoldedConv.class)).isZero();
            assertThat(count(block, BatchNorm.class)).isEqualTo(7);
            assertThat(block.getParameters().keys()).containsExactlyElementsOf(names);
            float[] after = block.forward(new ParameterStore(manager, false), new NDList(x), false).get(0).toFloatArray();
            assertThat(after).containsExactly(before, within(0f));
        }
    }

    @Test
    void aProbeThatFailsFoldedUndoesTheFolding() throws Exception {
        InputSpec input = Architectures.defaultInput(Architectures.FASTNET);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            Block block = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            AtomicInteger runs = new AtomicInteger();

            int folded = BatchNormFolding.foldChecked(block, manager, () -> {
                if (runs.getAndIncrement() > 0) {
                    throw new IllegalStateException("non-finite");
                }
                return new float[] {0.5f};
            }, "test");

            assertThat(folded).isZero();
            assertThat(count(block, BatchNorm.class)).isEqualTo(7);
        }
    }

    @Test
    void switchedOffByItsPropertyAndNeverInWrap() throws Exception {
        ModelBundle bundle = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "fold-off", 1);
        System.setProperty(BatchNormFolding.PROPERTY, "false");
        try (Classifier unfolded = Classifier.load(bundle, CPU)) {
            assertThat(count(unfolded.network(), BatchNorm.class)).isEqualTo(7);
        } finally {
            System.clearProperty(BatchNormFolding.PROPERTY);
        }
        try (Classifier folded = Classifier.load(bundle, CPU)) {
            assertThat(count(folded.network(), BatchNorm.class)).isZero();
            assertThatThrownBy(() -> ModelBundle.fromBlock(folded.network(), bundle.metadata()))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("unfolded");
        }
        InputSpec input = bundle.metadata().input();
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            Block trained = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
            trained.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            try (Classifier wrapped = Classifier.wrap(trained, bundle.metadata(), CPU)) {
                wrapped.classify(List.of(PreparedImage.black(input.width(), input.height())));
                assertThat(count(wrapped.network(), BatchNorm.class)).isEqualTo(7);
            }
        }
    }

    @Test
    void differenceIsAbsoluteForProbabilitiesAndRelativeAboveOne() {
        assertThat(BatchNormFolding.difference(new float[] {0.5f, 0.25f}, new float[] {0.5f, 0.2501f}))
                .isCloseTo(1e-4, within(1e-7));
        assertThat(BatchNormFolding.difference(new float[] {1000f}, new float[] {1000.05f})).isCloseTo(5e-5, within(1e-7));
        assertThat(BatchNormFolding.difference(new float[] {1f, 0f}, new float[] {Float.NaN, 0.5f})).isNaN();
        assertThat(BatchNormFolding.difference(new float[] {1f}, new float[] {1f, 2f})).isInfinite();
    }

    private static void assertClassifiesAsUnfolded(String architecture, int batchNorms) throws Exception {
        ModelBundle bundle = bundleWithLearntStatistics(architecture, HeadLayout.MULTI_HEAD);
        try (Classifier unfolded = Classifier.load(bundle, CPU, ImageLimits.defaults(), false);
             Classifier folded = Classifier.load(bundle, CPU, ImageLimits.defaults(), true)) {
            assertThat(count(unfolded.network(), BatchNorm.class)).isEqualTo(batchNorms);
            assertThat(count(folded.network(), BatchNorm.class)).isZero();
            assertThat(count(folded.network(), FoldedConv.class)).isEqualTo(batchNorms);

            List<PreparedImage> photos = photos(folded.preprocessor());
            List<Prediction> want = unfolded.classify(photos);
            List<Prediction> got = folded.classify(photos);
            float least = 1;
            for (int i = 0; i < photos.size(); i++) {
                assertThat(got.get(i).mask()).containsExactly(want.get(i).mask(), within(1e-4f));
                assertThat(got.get(i).gender()).containsExactly(want.get(i).gender(), within(1e-4f));
                assertThat(got.get(i).age()).containsExactly(want.get(i).age(), within(1e-4f));
                assertThat(got.get(i).classes()).containsExactly(want.get(i).classes(), within(1e-4f));
                least = Math.min(least, max(want.get(i).mask()));
            }
            assertThat(least).as("predictions are not saturated: the comparison means something").isLessThan(0.99f);
        }
    }

    /**
     * A bundle whose batch norms are far from identity: γ and β seeded at random, then running statistics learnt
     * from scene images (forward passes in training mode update them), as training would leave them.
     */
    private static ModelBundle bundleWithLearntStatistics(String architecture, HeadLayout layout) throws Exception {
        InputSpec input = Architectures.defaultInput(architecture);
        Block block = Architectures.build(architecture, layout);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            Random random = new Random(42);
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray array = p.getValue().getArray();
                if (p.getKey().endsWith("gamma")) {
                    array.set(uniform(random, array, 0.5f, 1.5f));
                } else if (p.getKey().endsWith("beta")) {
                    array.set(uniform(random, array, -0.3f, 0.3f));
                }
            }
            ImagePreprocessor preprocessor = new ImagePreprocessor(input, ImageLimits.defaults());
            NDArray batch = preprocessor.toBatch(manager, photos(preprocessor));
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (int step = 0; step < 10; step++) {
                    block.forward(new ParameterStore(manager, false), new NDList(batch), true);
                }
            } finally {
                JniUtils.setGradMode(gradMode);
            }
            float[] var = GridNetTest.parameter(block, "runningVar").getArray().toFloatArray();
            assertThat(spread(var)).as("learnt statistics").isGreaterThan(0.1f);
            return ModelBundle.fromBlock(block, BundleMetadata.of(architecture + "-bn", architecture, layout, input, null));
        }
    }

    private static List<PreparedImage> photos(ImagePreprocessor preprocessor) throws Exception {
        List<PreparedImage> photos = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            photos.add(preprocessor.prepare(TestImages.jpeg(TestImages.scene(384, 512, 200 + i))));
        }
        return photos;
    }

    private static float[] uniform(Random random, NDArray like, float low, float high) {
        float[] values = new float[Math.toIntExact(like.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = low + (high - low) * random.nextFloat();
        }
        return values;
    }

    private static float[] grid(Block network, ImagePreprocessor preprocessor, List<PreparedImage> inputs) {
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            NDArray x = preprocessor.toBatch(manager, inputs);
            return network.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow().toFloatArray();
        }
    }

    private static int count(Block block, Class<? extends Block> type) {
        int n = type.isInstance(block) ? 1 : 0;
        for (Block child : block.getChildren().values()) {
            n += count(child, type);
        }
        return n;
    }

    private static float max(float[] values) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static float spread(float[] values) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi - lo;
    }
}
