package io.maskstream.model;

import static io.maskstream.model.ModelBundleTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.maskstream.model.InvalidModelException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportedBackboneTest {

    private static final ComputeSettings CPU = new ComputeSettings("cpu", 0, 0);
    private static final InputSpec INPUT = InputSpec.imagenet(48, 64);

    @TempDir
    static Path dir;
    private static List<PreparedImage> photos;

    @BeforeAll
    static void photos() throws Exception {
        ImagePreprocessor preprocessor = new ImagePreprocessor(INPUT, ImageLimits.defaults());
        photos = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            photos.add(preprocessor.prepare(TestImages.jpeg(TestImages.scene(384, 512, 200 + i))));
        }
    }

    @Test
    void aBundleServesTheProbabilitiesOfTheFineTunedNetworkItWasMadeFrom() throws Exception {
        for (String name : List.of(TestBackbones.NCHW, TestBackbones.NC)) {
            Path file = TestBackbones.copy(name, dir);
            ImportedBackbone backbone = ImportedBackbone.read(file);
            try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
                Block network = backbone.network(HeadLayout.MULTI_HEAD, INPUT, manager);
                network.initialize(manager, DataType.FLOAT32, new Shape(2, 3, INPUT.height(), INPUT.width()));
                // "Fine-tune" the module: the bundle must carry the module as it is now, not the file it came from.
                Parameter first = moduleParameter(network, "features.0.weight");
                first.getArray().muli(1.5f);
                BundleMetadata metadata = BundleMetadata.of("ts-1", Architectures.TORCHSCRIPT, HeadLayout.MULTI_HEAD, INPUT,
                        null).withBackbone(backbone.describe(network));
                List<Prediction> trained;
                try (Classifier wrapped = Classifier.wrap(network, metadata, CPU)) {
                    trained = wrapped.classify(photos);
                }

                ModelBundle bundle = ModelBundle.read(ModelBundle.fromBlock(network, metadata).toBytes());

                assertThat(bundle.metadata().architecture()).isEqualTo(Architectures.TORCHSCRIPT);
                assertThat(bundle.metadata().backbone().name()).isEqualTo(name);
                assertThat(bundle.metadata().backbone().sourceSha256()).isEqualTo(ModelBundle.sha256(Files.readAllBytes(file)));
                assertThat(bundle.metadata().backbone().sha256()).as("the fine-tuned module, not the file")
                        .isNotEqualTo(bundle.metadata().backbone().sourceSha256())
                        .isEqualTo(ModelBundle.sha256(bundle.backboneModule().orElseThrow()));
                assertThat(bundle.metadata().backbone().features()).isEqualTo(16);
                try (Classifier served = Classifier.load(bundle, CPU)) {
                    List<Prediction> loaded = served.classify(photos);
                    for (int i = 0; i < photos.size(); i++) {
                        assertClose(loaded.get(i), trained.get(i), name);
                    }
                    assertThat(loaded.get(0).classes()).as("not a constant: the module's features reach the heads")
                            .isNotEqualTo(loaded.get(1).classes());
                    // several stream threads share one served model
                    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
                    try {
                        List<java.util.concurrent.Future<List<Prediction>>> runs = new ArrayList<>();
                        for (int r = 0; r < 6; r++) {
                            runs.add(pool.submit(() -> served.classify(photos)));
                        }
                        for (java.util.concurrent.Future<List<Prediction>> run : runs) {
                            List<Prediction> concurrent = run.get();
                            for (int i = 0; i < photos.size(); i++) {
                                assertClose(concurrent.get(i), trained.get(i), name + " classified concurrently");
                            }
                        }
                    } finally {
                        pool.shutdownNow();
                    }
                }
            }
        }
    }

    @Test
    void aFileWhoseOutputIsNotFeaturesOrThatFailsOnTheInputIsRefusedNamingItAndTheShape() throws Exception {
        Path rank3 = TestBackbones.copy(TestBackbones.RANK3, dir);
        Path tuple = TestBackbones.copy(TestBackbones.TUPLE, dir);
        Path grey = TestBackbones.copy(TestBackbones.GREY, dir);
        Path notTorchScript = Files.write(dir.resolve("model.onnx"), OnnxFiles.identity(1, 3, 64, 48));
        Path empty = Files.write(dir.resolve("empty.pt"), new byte[0]);
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            assertRefused(() -> ImportedBackbone.read(rank3).network(HeadLayout.MULTI_HEAD, INPUT, manager),
                    Reason.SHAPE_MISMATCH, rank3 + " returns (2, 16, 192) for the input (2, 3, 64, 48)");
            assertRefused(() -> ImportedBackbone.read(tuple).network(HeadLayout.MULTI_HEAD, INPUT, manager),
                    Reason.SHAPE_MISMATCH, tuple + " returns 2 outputs [(2, 16), (2, 16)]");
            assertRefused(() -> ImportedBackbone.read(grey).network(HeadLayout.SINGLE_18, INPUT, manager),
                    Reason.SHAPE_MISMATCH, grey + " fails on the input [N, 3, height, width] = (2, 3, 64, 48) (48x64)");
            assertRefused(() -> ImportedBackbone.read(notTorchScript).network(HeadLayout.MULTI_HEAD, INPUT, manager),
                    Reason.LOAD_FAILED, notTorchScript + " is not a TorchScript module");
            assertRefused(() -> ImportedBackbone.read(empty), Reason.LOAD_FAILED, empty + " is 0 bytes");
            assertRefused(() -> ImportedBackbone.read(dir.resolve("absent.pt")), Reason.LOAD_FAILED, "no backbone file at");
            assertRefused(() -> ImportedBackbone.read(TestBackbones.copy(TestBackbones.NC, dir))
                    .network(HeadLayout.FACE_GRID, INPUT, manager), Reason.SHAPE_MISMATCH, "not FACE_GRID");
        }
        assertThatThrownBy(() -> ModelBundle.untrained(Architectures.TORCHSCRIPT, HeadLayout.MULTI_HEAD, "x", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built from its bundle's backbone.pt");
    }

    @Test
    void aTorchscriptBundleWithAnAlteredMissingOrMisfittingModuleIsRefused() throws Exception {
        ModelBundle good;
        try (NDManager manager = Compute.engine().newBaseManager(Device.cpu())) {
            ImportedBackbone backbone = ImportedBackbone.read(TestBackbones.copy(TestBackbones.NCHW, dir));
            Block network = backbone.network(HeadLayout.SINGLE_18, INPUT, manager);
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, INPUT.height(), INPUT.width()));
            good = ModelBundle.fromBlock(network, BundleMetadata.of("ts-2", Architectures.TORCHSCRIPT, HeadLayout.SINGLE_18,
                    INPUT, null).withBackbone(backbone.describe(network)));
            assertThatThrownBy(() -> ModelBundle.fromBlock(network, BundleMetadata.of("ts-3", Architectures.TORCHSCRIPT,
                    HeadLayout.SINGLE_18, INPUT, null))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("with no backbone does not describe a network on an imported backbone");
        }
        BundleMetadata m = good.metadata();
        byte[] module = good.backboneModule().orElseThrow();
        byte[] altered = module.clone();
        altered[altered.length / 2] ^= 1;
        byte[] garbage = "not a module".getBytes(StandardCharsets.UTF_8);
        BundleMetadata garbageSha = m.withBackbone(new BundleMetadata.Backbone(m.backbone().name(),
                m.backbone().sourceSha256(), ModelBundle.sha256(garbage), m.backbone().features()));
        BundleMetadata moreFeatures = m.withBackbone(new BundleMetadata.Backbone(m.backbone().name(),
                m.backbone().sourceSha256(), m.backbone().sha256(), 32));

        assertRefused(() -> ModelBundle.read(ModelBundle.assemble(m, good.weights(), altered).toBytes()),
                Reason.CHECKSUM_MISMATCH, "its backbone's (backbone.pt) SHA-256 is");
        assertRefused(() -> ModelBundle.read(ModelBundle.assemble(m, good.weights()).toBytes()),
                Reason.TRUNCATED, "has architecture \"torchscript\" but no backbone.pt");
        assertRefused(() -> ModelBundle.read(ModelBundle.assemble(new BundleMetadata(1, "ts-x", Architectures.TORCHSCRIPT,
                HeadLayout.SINGLE_18, INPUT, m.createdTime(), null, m.weightsSha256()), good.weights(), module).toBytes()),
                Reason.BAD_METADATA, "its metadata names no backbone");
        ModelBundle fastnet = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.SINGLE_18, "f", 1);
        assertRefused(() -> ModelBundle.read(ModelBundle.assemble(fastnet.metadata(), fastnet.weights(), module).toBytes()),
                Reason.BAD_METADATA, "holds a backbone.pt, which only architecture \"torchscript\" has");
        assertRefused(() -> Classifier.load(ModelBundle.read(ModelBundle.assemble(garbageSha, good.weights(), garbage)
                .toBytes()), CPU), Reason.LOAD_FAILED, "model ts-2 (torchscript/SINGLE_18)'s backbone (backbone.pt, imported from tiny-nchw.pt) is not a "
                + "TorchScript module");
        assertRefused(() -> Classifier.load(ModelBundle.read(ModelBundle.assemble(moreFeatures, good.weights(), module)
                .toBytes()), CPU), Reason.SHAPE_MISMATCH, "its backbone gives 16 features per image where its metadata "
                + "(and heads) say 32");
        byte[] fastnetHeads = ModelBundle.untrained(Architectures.FASTNET, HeadLayout.SINGLE_18, "f", 1).weights();
        assertRefused(() -> Classifier.load(ModelBundle.read(ModelBundle.assemble(m.withWeightsSha256(
                ModelBundle.sha256(fastnetHeads)), fastnetHeads, module).toBytes()), CPU), Reason.SHAPE_MISMATCH, "model ts-2 (torchscript/SINGLE_18): the weights do not fit "
                + "the network's structure");
    }

    private static Parameter moduleParameter(Block network, String name) {
        for (Pair<String, Parameter> p : ((Networks.Imported) network).moduleParameters()) {
            if (p.getKey().equals(name)) {
                return p.getValue();
            }
        }
        throw new AssertionError("no module parameter " + name);
    }

    private static void assertClose(Prediction actual, Prediction expected, String what) {
        float[] a = actual.classes();
        float[] e = expected.classes();
        for (int k = 0; k < e.length; k++) {
            assertThat(Math.abs(a[k] - e[k])).as(what + " class " + k + ": " + Arrays.toString(a) + " vs "
                    + Arrays.toString(e)).isLessThan(1e-5f);
        }
    }
}
