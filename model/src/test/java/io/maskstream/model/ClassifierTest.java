package io.maskstream.model;

import static io.maskstream.model.ModelBundleTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.maskstream.model.InvalidModelException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClassifierTest {

    private static final ComputeSettings CPU = new ComputeSettings("auto", 0, 0);
    private static ModelBundle bundle;
    private static Classifier classifier;
    private static List<PreparedImage> photos;

    @BeforeAll
    static void load() throws Exception {
        bundle = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "fastnet-test", 1);
        classifier = Classifier.load(bundle, CPU);
        photos = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            photos.add(classifier.preprocessor().prepare(TestImages.jpeg(TestImages.scene(384, 512, 100 + i))));
        }
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    @Test
    void classifiesOnePredictionPerImageInOrder() {
        List<Prediction> batch = classifier.classify(photos);

        assertThat(batch).hasSize(photos.size());
        for (int i = 0; i < photos.size(); i++) {
            Prediction alone = classifier.classify(List.of(photos.get(i))).get(0);
            assertClose(batch.get(i), alone);
        }
        assertThat(classifier.classify(List.of())).isEmpty();
        assertThat(classifier.version()).isEqualTo("fastnet-test");
        assertThat(classifier.metadata()).isEqualTo(bundle.metadata());
    }

    @Test
    void inferenceUsesRunningStatisticsSoBatchmatesDoNotMatter() {
        Prediction withOthers = classifier.classify(photos).get(0);
        Prediction withCopies = classifier.classify(List.of(photos.get(0), photos.get(0), photos.get(0))).get(0);

        assertClose(withOthers, withCopies);
    }

    @Test
    void flipTtaAveragesTheImageAndItsMirror() {
        PreparedImage photo = photos.get(1);
        PreparedImage mirror = mirrored(photo);

        Prediction tta = classifier.classify(List.of(photo), true).get(0);
        Prediction plain = classifier.classify(List.of(photo)).get(0);
        Prediction flipped = classifier.classify(List.of(mirror)).get(0);

        assertClose(tta, Outputs.average(plain, flipped, HeadLayout.MULTI_HEAD));
        assertThat(classifier.classify(photos, true)).hasSize(photos.size());
    }

    @Test
    void mcDropoutAttachesTheSpreadOfItsPassesAndGivesAnImageTheSameAnswerInAnyBatch() {
        McDropout mc = new McDropout(8, 0.5, 7);

        List<Prediction> batch = classifier.classify(photos, false, mc);
        Prediction alone = classifier.classify(List.of(photos.get(3)), false, mc).get(0);
        Prediction again = classifier.classify(List.of(photos.get(3), photos.get(0)), false, mc).get(0);
        Prediction plain = classifier.classify(List.of(photos.get(3))).get(0);

        for (Prediction p : batch) {
            assertThat(p.uncertainty().method()).isEqualTo(Uncertainty.MC_DROPOUT);
            assertThat(p.uncertainty().passes()).isEqualTo(8);
            assertThat(p.uncertainty().maxSpread()).as("masks on the features move the heads' answers").isGreaterThan(0f);
            assertThat(p.mask()[0] + p.mask()[1] + p.mask()[2]).isCloseTo(1f, within(1e-5f));
        }
        assertClose(alone, batch.get(3));
        assertClose(again, batch.get(3));
        assertThat(alone.uncertainty().mask()).isCloseTo(batch.get(3).uncertainty().mask(), within(1e-5f));
        assertThat(plain.uncertainty()).as("one pass has no spread").isNull();
        assertThat(alone.mask()).as("the mean of masked passes is not the plain pass").isNotEqualTo(plain.mask());
        assertThat(classifier.classify(photos, false, McDropout.OFF)).allSatisfy(p -> assertThat(p.uncertainty()).isNull());
    }

    @Test
    void mcDropoutThatDropsNothingIsThePlainPassWithAndWithoutFlipTta() {
        McDropout keepsAll = new McDropout(4, 1e-9, 3); // every mask keeps every feature at scale ~1

        for (boolean tta : new boolean[] {false, true}) {
            List<Prediction> mc = classifier.classify(photos, tta, keepsAll);
            List<Prediction> plain = classifier.classify(photos, tta);
            for (int i = 0; i < photos.size(); i++) {
                assertClose(mc.get(i), plain.get(i));
                assertThat(mc.get(i).uncertainty().maxSpread()).isLessThan(1e-5f);
                assertThat(mc.get(i).uncertainty().agreement()).isEqualTo(1f);
            }
        }
    }

    @Test
    void mcDropoutRefusesOnePassAndRatesOutsideTheOpenUnitInterval() {
        assertThatThrownBy(() -> new McDropout(1, 0.2, 0)).hasMessageContaining("0 passes (off) or at least 2, got 1");
        assertThatThrownBy(() -> new McDropout(-3, 0.2, 0)).hasMessageContaining("got -3");
        assertThatThrownBy(() -> new McDropout(4, 1.0, 0)).hasMessageContaining("rate must lie in (0, 1), got 1.0");
        assertThatThrownBy(() -> new McDropout(4, 0, 0)).hasMessageContaining("got 0.0");
        assertThat(McDropout.OFF.on(classifier)).as("off serves the model itself").isSameAs(classifier);
        BatchClassifier view = new McDropout(3, 0.5, 1).on(classifier);
        view.close();
        assertThat(view.classify(photos, false)).as("closing the view leaves the model serving")
                .allSatisfy(p -> assertThat(p.uncertainty().passes()).isEqualTo(3));
    }

    @Test
    void changedWeightsSurviveTheBundleRoundTrip() throws Exception {
        InputSpec input = Architectures.defaultInput(Architectures.FASTNET);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            Block block = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            Parameter maskBias = parameter(block, "heads_01mask_bias");
            maskBias.getArray().set(new float[] {0f, 0f, 20f}); // everyone unmasked, whatever the image
            float[] shifted = new float[24];
            java.util.Arrays.fill(shifted, 0.1f);
            parameter(block, "runningMean").getArray().set(shifted); // a running statistic, too

            BundleMetadata metadata = BundleMetadata.of("trained-1", Architectures.FASTNET, HeadLayout.MULTI_HEAD, input,
                    java.util.Map.of("epochs", "1"));
            List<Prediction> before;
            try (Classifier wrapped = Classifier.wrap(block, metadata, CPU)) {
                before = wrapped.classify(photos);
            }
            ModelBundle trained = ModelBundle.read(ModelBundle.fromBlock(block, metadata).toBytes());
            try (Classifier loaded = Classifier.load(trained, CPU)) {
                List<Prediction> after = loaded.classify(photos);
                for (int i = 0; i < photos.size(); i++) {
                    assertClose(after.get(i), before.get(i));
                    assertThat(after.get(i).maskLabel()).isEqualTo(MaskLabel.NONE);
                }
            }
            assertThat(block.isInitialized()).as("wrap does not close the caller's block").isTrue();
        }
    }

    @Test
    void weightsForAFourClassMaskHeadAreAShapeMismatch() throws Exception {
        Block fourMasks = Architectures.build(Architectures.FASTNET, new String[] {"mask", "gender", "age"}, new int[] {4, 2, 3});
        ModelBundle wrong = bundleOf(fourMasks, Architectures.FASTNET, HeadLayout.MULTI_HEAD);

        assertRefused(() -> Classifier.load(wrong, CPU), Reason.SHAPE_MISMATCH, "mask_weight is (4, 128) but the network needs (3, 128)");
    }

    @Test
    void weightsOfAnotherHeadLayoutOrArchitectureAreAShapeMismatch() throws Exception {
        ModelBundle single = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.SINGLE_18, "s", 1);
        BundleMetadata m = single.metadata();
        ModelBundle singleAsMulti = ModelBundle.assemble(new BundleMetadata(1, "lie", m.architecture(), HeadLayout.MULTI_HEAD,
                m.input(), m.createdTime(), null, m.weightsSha256()), single.weights());
        ModelBundle fastnetAsResnet = ModelBundle.assemble(new BundleMetadata(1, "lie2", Architectures.RESNET18,
                HeadLayout.MULTI_HEAD, bundle.metadata().input(), bundle.metadata().createdTime(), null,
                bundle.metadata().weightsSha256()), bundle.weights());

        assertRefused(() -> Classifier.load(singleAsMulti, CPU), Reason.SHAPE_MISMATCH, "do not fit");
        assertRefused(() -> Classifier.load(fastnetAsResnet, CPU), Reason.SHAPE_MISMATCH, "do not fit");
        ModelBundle multiAsConditional = ModelBundle.assemble(new BundleMetadata(1, "lie3", Architectures.FASTNET,
                HeadLayout.MASK_CONDITIONAL_AGE, bundle.metadata().input(), bundle.metadata().createdTime(), null,
                bundle.metadata().weightsSha256()), bundle.weights());
        assertRefused(() -> Classifier.load(multiAsConditional, CPU), Reason.SHAPE_MISMATCH, "do not fit");
    }

    @Test
    void aMaskConditionalAgeBundleLoadsFoldedAndServesItsJoint() throws Exception {
        ModelBundle conditional = ModelBundle.read(ModelBundle.untrained(Architectures.FASTNET,
                HeadLayout.MASK_CONDITIONAL_AGE, "mca", 3).toBytes());
        try (Classifier folded = Classifier.load(conditional, CPU);
             Classifier unfolded = Classifier.load(conditional, CPU, ImageLimits.defaults(), false)) {
            List<PreparedImage> images = PreparedImage.probes(folded.metadata().input().width(),
                    folded.metadata().input().height());
            List<Prediction> served = folded.classify(images, true);
            List<Prediction> reference = unfolded.classify(images, true);
            for (int i = 0; i < images.size(); i++) {
                assertClose(served.get(i), reference.get(i));
                float[] age = new float[3];
                for (int c = 0; c < 18; c++) {
                    age[c % 3] += served.get(i).classes()[c];
                }
                assertThat(served.get(i).age()).containsExactly(age, org.assertj.core.api.Assertions.within(1e-5f));
            }
        }
    }

    @Test
    void nanWeightsAreRefused() throws Exception {
        Block block = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
        ModelBundle poisoned = bundleOf(block, Architectures.FASTNET, HeadLayout.MULTI_HEAD, "heads_02gender_weight");

        assertRefused(() -> Classifier.load(poisoned, CPU), Reason.NON_FINITE_WEIGHTS, "heads_02gender_weight");
    }

    @Test
    void nonFiniteOutputsFailTheBatchInsteadOfReachingEvents() throws Exception {
        InputSpec input = Architectures.defaultInput(Architectures.FASTNET);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            Block block = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            parameter(block, "heads_03age_bias").getArray().set(new float[] {Float.NaN, 0f, 0f});
            BundleMetadata metadata = BundleMetadata.of("nan", Architectures.FASTNET, HeadLayout.MULTI_HEAD, input, null);
            try (Classifier wrapped = Classifier.wrap(block, metadata, CPU)) {
                assertThatThrownBy(() -> wrapped.classify(photos)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("non-finite");
            }
        }
    }

    @Test
    void severalThreadsShareOneClassifier() throws Exception {
        List<Prediction> expected = classifier.classify(photos);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<Prediction>>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> classifier.classify(photos)));
            }
            for (Future<List<Prediction>> result : results) {
                List<Prediction> got = result.get();
                for (int i = 0; i < got.size(); i++) {
                    assertClose(got.get(i), expected.get(i));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedClassifierRefusesWorkCleanly() throws Exception {
        Classifier temporary = Classifier.load(bundle, CPU);
        assertThat(temporary.device()).isEqualTo(Compute.device(CPU));
        temporary.close();
        temporary.close();

        assertThatThrownBy(() -> temporary.classify(photos)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void imagesOfAnotherSizeAreRefused() {
        PreparedImage wrong = new PreparedImage(32, 32, new byte[32 * 32 * 3], 32, 32);

        assertThatThrownBy(() -> classifier.classify(List.of(wrong))).isInstanceOf(IllegalArgumentException.class);
    }

    private static ModelBundle bundleOf(Block block, String architecture, HeadLayout layout, String... nanParameters) {
        InputSpec input = Architectures.defaultInput(architecture);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            for (String name : nanParameters) {
                Parameter p = parameter(block, name);
                float[] values = p.getArray().toFloatArray();
                values[values.length / 2] = Float.NaN;
                p.getArray().set(values);
            }
            return ModelBundle.fromBlock(block, BundleMetadata.of("bad", architecture, layout, input, null));
        }
    }

    private static Parameter parameter(Block block, String suffix) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getKey().endsWith(suffix)) {
                return p.getValue();
            }
        }
        throw new IllegalArgumentException("no parameter " + suffix);
    }

    private static PreparedImage mirrored(PreparedImage image) {
        byte[] src = image.rgb();
        byte[] dst = new byte[src.length];
        int w = image.width();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(src, (y * w + x) * 3, dst, (y * w + (w - 1 - x)) * 3, 3);
            }
        }
        return new PreparedImage(w, image.height(), dst, image.sourceWidth(), image.sourceHeight());
    }

    private static void assertClose(Prediction actual, Prediction expected) {
        assertThat(actual.classes()).containsExactly(expected.classes(), within(1e-4f));
        assertThat(actual.mask()).containsExactly(expected.mask(), within(1e-4f));
        assertThat(actual.gender()).containsExactly(expected.gender(), within(1e-4f));
        assertThat(actual.age()).containsExactly(expected.age(), within(1e-4f));
    }
}
