package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BlazeFace's anchors and box decoding, on hand-made outputs: no network needed. */
class BlazeFaceOutputsTest {

    static {
        Compute.prepare();
    }

    private static final Shape SCORES_1 = new Shape(1, 512, 1);
    private static final Shape SCORES_2 = new Shape(1, 384, 1);
    private static final Shape BOXES_1 = new Shape(1, 512, 16);
    private static final Shape BOXES_2 = new Shape(1, 384, 16);

    @Test
    void recognisesBothLayoutsByShapeInAnyOrderAndNothingElse() {
        assertThat(BlazeFaceOutputs.recognise(List.of(SCORES_1, SCORES_2, BOXES_1, BOXES_2))).isNotNull();
        assertThat(BlazeFaceOutputs.recognise(List.of(BOXES_2, SCORES_1, BOXES_1, SCORES_2))).isNotNull();
        assertThat(BlazeFaceOutputs.recognise(List.of(new Shape(1, 896, 16), new Shape(1, 896, 1)))).isNotNull();
        assertThat(BlazeFaceOutputs.recognise(List.of(new Shape(1, 2304, 16), new Shape(1, 2304, 1)))).isNull();
        assertThat(BlazeFaceOutputs.recognise(List.of(new Shape(1, 1000)))).isNull();
        assertThat(BlazeFaceOutputs.recognise(List.of(SCORES_1, SCORES_1, BOXES_1, BOXES_2))).isNull();
    }

    @Test
    void decodesABoxRelativeToItsAnchorInInputPixelsWithASigmoidScore() {
        // Barracuda order: Identity (scores, 16x16 grid), Identity_1 (8x8), Identity_2 (boxes, 16x16), Identity_3 (8x8)
        BlazeFaceOutputs layout = BlazeFaceOutputs.recognise(List.of(SCORES_1, SCORES_2, BOXES_1, BOXES_2));
        float[] s1 = filled(512, -20f);
        float[] s2 = filled(384, -20f);
        float[] b1 = new float[512 * 16];
        float[] b2 = new float[384 * 16];
        // 16x16 grid, cell (x 3, y 5), second anchor: centre (3.5/16, 5.5/16) of 128 px = (28, 44)
        int a = (5 * 16 + 3) * 2 + 1;
        s1[a] = 2f;
        b1[a * 16] = 4f;       // centre x offset, input pixels
        b1[a * 16 + 1] = -2f;  // centre y offset
        b1[a * 16 + 2] = 20f;  // width
        b1[a * 16 + 3] = 30f;  // height
        // 8x8 grid, cell (x 6, y 1), anchor 4 of 6: centre (6.5/8, 1.5/8) of 128 px = (104, 24)
        int c = (8 + 6) * 6 + 4;
        s2[c] = 0f;
        b2[c * 16 + 2] = 10f;
        b2[c * 16 + 3] = 10f;
        try (NDManager m = NDManager.newBaseManager()) {
            NDList out = new NDList(m.create(s1, SCORES_1), m.create(s2, SCORES_2), m.create(b1, BOXES_1),
                    m.create(b2, BOXES_2));

            List<Detection> found = layout.decode(out, 1, 128, 0.4f).get(0);

            assertThat(found).hasSize(2);
            Detection first = found.get(0);
            assertThat(first.box().centreX()).isCloseTo(32, within(1e-4));
            assertThat(first.box().centreY()).isCloseTo(42, within(1e-4));
            assertThat(first.box().w()).isCloseTo(20, within(1e-4));
            assertThat(first.box().h()).isCloseTo(30, within(1e-4));
            assertThat(first.score()).isCloseTo((float) (1 / (1 + Math.exp(-2))), within(1e-6f));
            Detection second = found.get(1);
            assertThat(second.box().centreX()).isCloseTo(104, within(1e-4));
            assertThat(second.box().centreY()).isCloseTo(24, within(1e-4));
            assertThat(second.score()).isCloseTo(0.5f, within(1e-6f));
            // a higher minimum drops the 0.5 one; the 256 px back model's offsets are in its own pixels
            assertThat(layout.decode(out, 1, 128, 0.6f).get(0)).hasSize(1);
            assertThat(layout.decode(out, 1, 256, 0.6f).get(0).get(0).box().centreX()).isCloseTo(56 + 4, within(1e-4));
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
