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
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GridNetTest {

    /** Stride of each part's output, by the first segment of its parameters' names. */
    private static final Map<String, Integer> STRIDE = Map.of("stem_01s2", 2, "stem_02s4", 4, "c3", 8, "c4", 16, "c5", 32,
            "lateral3", 8, "lateral4", 16, "lateral5", 32, "head", 8, "out", 8);

    @Test
    void outputIsOneFiveChannelCellPerEightPixels() throws Exception {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Block net = Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID);
            Shape in = new Shape(2, 3, 192, 256);
            net.initialize(manager, DataType.FLOAT32, in);
            NDList out = net.forward(new ParameterStore(manager, false), new NDList(manager.randomNormal(in)), false);

            assertThat(out.getShapes()).containsExactly(new Shape(2, 5, 24, 32));
            assertThat(net.getOutputShapes(new Shape[] {in})).containsExactly(new Shape(2, 5, 24, 32));
        }
    }

    @Test
    void upsamplingRepeatsEachCellTwiceEachWay() {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            NDArray x = manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));

            assertThat(x.repeat(2, 2).repeat(3, 2).toFloatArray())
                    .containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
        }
    }

    @Test
    void inputsThatAreNotMultiplesOf32AreRefused() throws Exception {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Block net = Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID);

            assertThatThrownBy(() -> net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 196, 260)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 32");
        }
    }

    @Test
    void objectnessStartsAtTheFocalPrior() throws Exception {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Block net = Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 192, 256));
            float[] bias = parameter(net, "out_bias").getArray().toFloatArray();

            assertThat(bias).containsExactly(GridNet.OBJECTNESS_PRIOR_LOGIT, 0, 0, 0, 0);
        }
    }

    /** Counts multiply-adds from the weights' shapes and each part's output size; times a forward pass. */
    @Test
    void isSmallAndFastOnCpu() throws Exception {
        try (NDManager manager = Compute.engine().newBaseManager()) {
            Block net = Architectures.build(Architectures.GRIDNET, HeadLayout.FACE_GRID);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 192, 256));
            long params = 0;
            long macs = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                Shape s = p.getValue().getArray().getShape();
                if (p.getValue().getType() == Parameter.Type.WEIGHT || p.getValue().getType() == Parameter.Type.BIAS
                        || p.getValue().getType() == Parameter.Type.GAMMA || p.getValue().getType() == Parameter.Type.BETA) {
                    params += s.size();
                }
                if (p.getKey().endsWith("_weight") && s.dimension() == 4) {
                    int stride = strideOf(p.getKey());
                    macs += s.size() * (256 / stride) * (192 / stride);
                }
            }
            int batch = 8;
            double msPerFrame = timeForward(net, manager, batch);
            System.err.printf(Locale.ROOT, "gridnet at 256x192: %,d parameters, %.1f M multiply-adds per frame, %.2f ms per "
                    + "frame (batch %d, %d intra-op threads)%n", params, macs / 1e6, msPerFrame, batch, JniUtils.getNumThreads());

            assertThat(params).isBetween(200_000L, 500_000L);
            assertThat(macs).isBetween(80_000_000L, 150_000_000L);
            assertThat(msPerFrame).as("ms per frame on a shared CPU").isLessThan(100);
        }
    }

    private static double timeForward(Block net, NDManager manager, int batch) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 6; round++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.randomNormal(new Shape(batch, 3, 192, 256));
                    long t0 = System.nanoTime();
                    NDArray y = net.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
                    y.toFloatArray();
                    best = Math.min(best, (System.nanoTime() - t0) / 1e6 / batch);
                }
            }
            return best;
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    private static int strideOf(String name) {
        for (Map.Entry<String, Integer> e : STRIDE.entrySet()) {
            if (name.contains(e.getKey() + "_")) {
                return e.getValue();
            }
        }
        throw new IllegalArgumentException("no stride known for " + name);
    }

    static Parameter parameter(Block block, String suffix) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getKey().endsWith(suffix)) {
                return p.getValue();
            }
        }
        throw new IllegalArgumentException("no parameter " + suffix);
    }
}
