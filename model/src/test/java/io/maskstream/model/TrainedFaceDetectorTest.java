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
import io.maskstream.model.InvalidModelException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainedFaceDetectorTest {

    private static final ComputeSettings CPU = new ComputeSettings("auto", 0, 0);
    /** Untrained weights score most cells near the prior (0.1): a low bar so they find something to check. */
    private static final DetectorSettings ANYTHING = new DetectorSettings(0.01f, 0.4f, 5);
    private static ModelBundle bundle;
    private static TrainedFaceDetector detector;
    private static List<DecodedImage> frames;

    @BeforeAll
    static void load() throws Exception {
        bundle = ModelBundle.untrained(Architectures.GRIDNET, HeadLayout.FACE_GRID, "gridnet-test", 1);
        detector = TrainedFaceDetector.load(bundle, CPU, ANYTHING);
        frames = List.of(new DecodedImage(TestImages.scene(640, 480, 1)), new DecodedImage(TestImages.scene(480, 480, 2)),
                new DecodedImage(TestImages.scene(320, 240, 3)));
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    @Test
    void detectsPerFrameInOrderWithinEachFrame() {
        List<List<Detection>> batch = detector.detect(frames);

        assertThat(batch).hasSize(frames.size());
        for (int f = 0; f < frames.size(); f++) {
            List<Detection> found = batch.get(f);
            assertSame(found, detector.detect(List.of(frames.get(f))).get(0));
            assertThat(found.size()).isBetween(1, ANYTHING.maxFaces());
            for (int i = 0; i < found.size(); i++) {
                Box b = found.get(i).box();
                assertThat(b.x()).isGreaterThanOrEqualTo(0);
                assertThat(b.y()).isGreaterThanOrEqualTo(0);
                assertThat(b.right()).isLessThanOrEqualTo(frames.get(f).width());
                assertThat(b.bottom()).isLessThanOrEqualTo(frames.get(f).height());
                assertThat(found.get(i).score()).isGreaterThanOrEqualTo(ANYTHING.minScore());
                if (i > 0) {
                    assertThat(found.get(i).score()).isLessThanOrEqualTo(found.get(i - 1).score());
                    assertThat(found.get(i).box().iou(found.get(0).box())).isLessThanOrEqualTo(ANYTHING.nmsIou());
                }
            }
        }
        assertThat(detector.detect(List.of())).isEmpty();
        assertThat(detector.version()).isEqualTo("gridnet-test");
        assertThat(detector.input()).isEqualTo(Architectures.defaultInput(Architectures.GRIDNET));
    }

    @Test
    void aDetectorTravelsInsideAClassifiersBundle() throws Exception {
        ModelBundle classifier = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "scene-1", 1);
        ModelBundle release = ModelBundle.read(classifier.withDetector(bundle).toBytes());

        try (TrainedFaceDetector packed = TrainedFaceDetector.load(release.detector().orElseThrow(), CPU, ANYTHING)) {
            List<List<Detection>> got = packed.detect(frames);
            List<List<Detection>> expected = detector.detect(frames);
            for (int f = 0; f < frames.size(); f++) {
                assertSame(got.get(f), expected.get(f));
            }
        }
    }

    @Test
    void aClassifierBundleIsNoDetectorAndADetectorBundleNoClassifier() {
        ModelBundle classifier = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.MULTI_HEAD, "fastnet-1", 1);

        assertRefused(() -> TrainedFaceDetector.load(classifier, CPU, ANYTHING), Reason.SHAPE_MISMATCH,
                "is a classifier, not a face detector");
        assertRefused(() -> Classifier.load(bundle, CPU), Reason.SHAPE_MISMATCH, "is a face detector, not a classifier");
    }

    @Test
    void aNetworkWhoseOutputIsNotTheGridIsAShapeMismatch() throws Exception {
        ModelBundle fourChannels = bundleOf(GridNet.build(4), "four");

        assertRefused(() -> TrainedFaceDetector.load(fourChannels, CPU, ANYTHING), Reason.SHAPE_MISMATCH,
                "do not fit the network");
        assertRefused(() -> TrainedFaceDetector.load(fourChannels, CPU, ANYTHING, GridNet.build(4)), Reason.SHAPE_MISMATCH,
                "produces outputs [(1, 4, 24, 32)]");
    }

    @Test
    void anInputTheGridCannotAlignIsAShapeMismatch() {
        BundleMetadata m = bundle.metadata();
        ModelBundle odd = ModelBundle.assemble(new BundleMetadata(1, "odd", m.architecture(), m.heads(),
                InputSpec.imagenet(260, 196), m.createdTime(), null, m.weightsSha256()), bundle.weights());

        assertRefused(() -> TrainedFaceDetector.load(odd, CPU, ANYTHING), Reason.SHAPE_MISMATCH, "multiples of 32");
    }

    @Test
    void nanWeightsAreRefused() throws Exception {
        ModelBundle poisoned = bundleOf(Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID), "nan",
                "c4_02conv_01conv_weight");

        assertRefused(() -> TrainedFaceDetector.load(poisoned, CPU, ANYTHING), Reason.NON_FINITE_WEIGHTS,
                "c4_02conv_01conv_weight");
    }

    @Test
    void severalThreadsShareOneDetector() throws Exception {
        List<List<Detection>> expected = detector.detect(frames);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<List<Detection>>>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> detector.detect(frames)));
            }
            for (Future<List<List<Detection>>> result : results) {
                List<List<Detection>> got = result.get();
                for (int f = 0; f < frames.size(); f++) {
                    assertSame(got.get(f), expected.get(f));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedDetectorRefusesWorkCleanly() throws Exception {
        TrainedFaceDetector temporary = TrainedFaceDetector.load(bundle, CPU, DetectorSettings.defaults());
        temporary.close();
        temporary.close();

        assertThatThrownBy(() -> temporary.detect(frames)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /** The same faces, up to float rounding (a frame alone and in a batch take different kernels). */
    private static void assertSame(List<Detection> actual, List<Detection> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-4f));
            assertThat(actual.get(i).box().iou(expected.get(i).box())).isGreaterThan(0.999);
        }
    }

    private static ModelBundle bundleOf(Block block, String version, String... nanParameters) {
        InputSpec input = Architectures.defaultInput(Architectures.GRIDNET);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, input.height(), input.width()));
            for (String name : nanParameters) {
                Parameter p = GridNetTest.parameter(block, name);
                float[] values = p.getArray().toFloatArray();
                values[values.length / 2] = Float.NaN;
                p.getArray().set(values);
            }
            return ModelBundle.fromBlock(block, BundleMetadata.of(version, Architectures.GRIDNET, HeadLayout.FACE_GRID,
                    input, null));
        }
    }
}
