package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchitecturesTest {

    /** torchvision's resnet18 has 11,689,512 parameters, of which its 1000-way fc is 513,000. */
    private static final long RESNET18_BACKBONE = 11_689_512L - 513_000L;

    @Test
    void resnet18IsTheStandardBackbonePlusHeads() throws Exception {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Block multi = Architectures.build(Architectures.RESNET18, HeadLayout.MULTI_HEAD);
            multi.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Block single = Architectures.build(Architectures.RESNET18, HeadLayout.SINGLE_18);
            single.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));

            assertThat(trainable(multi)).isEqualTo(RESNET18_BACKBONE + (512 * 3 + 3) + (512 * 2 + 2) + (512 * 3 + 3));
            assertThat(trainable(single)).isEqualTo(RESNET18_BACKBONE + 512 * 18 + 18);
        }
    }

    @Test
    void featureDropoutKeepsTheParameterNamesAndShapesSoOldBundlesLoad() throws Exception {
        InputSpec input = Architectures.defaultInput(Architectures.FASTNET);
        Shape in = new Shape(2, 3, input.height(), input.width());
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Block plain = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
            plain.initialize(manager, DataType.FLOAT32, in);
            Block dropped = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD, 0.3);
            dropped.initialize(manager, DataType.FLOAT32, in);

            assertThat(shapes(dropped)).isEqualTo(shapes(plain));
            NDArray x = manager.randomNormal(in);
            NDList a = dropped.forward(new ParameterStore(manager, false), new NDList(x), false);
            NDList b = dropped.forward(new ParameterStore(manager, false), new NDList(x), false);
            assertThat(a.get(0).toFloatArray()).as("no dropout outside training").containsExactly(b.get(0).toFloatArray());
        }
        assertThatThrownBy(() -> Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD, 1.0))
                .hasMessageContaining("feature dropout rate must lie in [0, 1), got 1.0");
        assertThatThrownBy(() -> Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID, 0.2))
                .hasMessageContaining("\"gridnet\" has no classifier heads");
    }

    private static java.util.Map<String, Shape> shapes(Block block) {
        java.util.Map<String, Shape> out = new java.util.LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().getShape());
        }
        return out;
    }

    @Test
    void resnet18DownsamplesBy32LikeStandardResnetNotLikeDjlsResNetV1() throws Exception {
        Block net = Architectures.build(Architectures.RESNET18, HeadLayout.MULTI_HEAD);
        Shape[] shapes = {new Shape(1, 3, 224, 224)};
        for (Pair<String, Block> child : net.getChildren()) {
            if (child.getKey().endsWith("pool")) {
                break;
            }
            shapes = child.getValue().getOutputShapes(shapes);
        }
        assertThat(shapes[0]).isEqualTo(new Shape(1, 512, 7, 7));
    }

    @Test
    void bothClassifierArchitecturesGiveTheHeadLayoutsOutputShapes() throws Exception {
        for (String architecture : List.of(Architectures.RESNET18, Architectures.FASTNET)) {
            for (HeadLayout layout : List.of(HeadLayout.MULTI_HEAD, HeadLayout.SINGLE_18, HeadLayout.MASK_CONDITIONAL_AGE)) {
                InputSpec input = architecture.equals(Architectures.FASTNET)
                        ? Architectures.defaultInput(architecture) : new InputSpec(64, 96, new float[3], new float[] {1, 1, 1});
                try (NDManager manager = Compute.engine().newBaseManager()) {
                    Block net = Architectures.build(architecture, layout);
                    Shape in = new Shape(2, 3, input.height(), input.width());
                    net.initialize(manager, DataType.FLOAT32, in);
                    NDList out = net.forward(new ParameterStore(manager, false), new NDList(manager.randomNormal(in)), false);
                    if (layout == HeadLayout.MULTI_HEAD) {
                        assertThat(out.getShapes()).containsExactly(new Shape(2, 3), new Shape(2, 2), new Shape(2, 3));
                    } else if (layout == HeadLayout.MASK_CONDITIONAL_AGE) {
                        assertThat(out.getShapes()).containsExactly(new Shape(2, 3), new Shape(2, 2), new Shape(2, 3),
                                new Shape(2, 3));
                    } else {
                        assertThat(out.getShapes()).containsExactly(new Shape(2, 18));
                    }
                }
            }
        }
    }

    @Test
    void fastnetIsSmall() throws Exception {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Block net = Architectures.build(Architectures.FASTNET, HeadLayout.MULTI_HEAD);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 128, 96));
            assertThat(trainable(net)).isBetween(100_000L, 500_000L);
        }
    }

    @Test
    void classifierDefaultInputsKeepThePhotosThreeToFourAspect() {
        for (String architecture : List.of(Architectures.RESNET18, Architectures.FASTNET)) {
            InputSpec input = Architectures.defaultInput(architecture);
            assertThat(input.width() * 4).isEqualTo(input.height() * 3);
        }
        assertThat(Architectures.defaultInput(Architectures.FASTNET).width()).isEqualTo(96);
        assertThat(Architectures.defaultInput(Architectures.RESNET18).width()).isEqualTo(192);
    }

    @Test
    void detectorAndClassifierArchitecturesDoNotMixWithEachOthersHeadLayouts() throws Exception {
        assertThat(Architectures.isDetector(Architectures.GRIDNET)).isTrue();
        assertThat(Architectures.isDetector(Architectures.FASTNET)).isFalse();
        assertThatThrownBy(() -> Architectures.build(Architectures.GRIDNET, HeadLayout.MULTI_HEAD))
                .isInstanceOfSatisfying(InvalidModelException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidModelException.Reason.SHAPE_MISMATCH))
                .hasMessageContaining("face detector");
        assertThatThrownBy(() -> Architectures.build(Architectures.FASTNET, HeadLayout.FACE_GRID))
                .isInstanceOfSatisfying(InvalidModelException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidModelException.Reason.SHAPE_MISMATCH))
                .hasMessageContaining("classifier");
        assertThat(Architectures.defaultInput(Architectures.GRIDNET).width()).isEqualTo(256);
        assertThat(Architectures.defaultInput(Architectures.GRIDNET).height()).isEqualTo(192);
    }

    @Test
    void unknownArchitectureIsRefusedWithItsReason() {
        assertThatThrownBy(() -> Architectures.build("vgg16", HeadLayout.MULTI_HEAD))
                .isInstanceOfSatisfying(InvalidModelException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidModelException.Reason.UNKNOWN_ARCHITECTURE))
                .hasMessageContaining("vgg16").hasMessageContaining("resnet18");
        assertThatThrownBy(() -> Architectures.defaultInput("vgg16")).isInstanceOf(IllegalArgumentException.class);
    }

    static long trainable(Block block) {
        long count = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter.Type type = p.getValue().getType();
            if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
                count += p.getValue().getArray().size();
            }
        }
        return count;
    }
}
