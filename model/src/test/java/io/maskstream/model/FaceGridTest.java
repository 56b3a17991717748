package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaceGridTest {

    private static final FaceGrid GRID = FaceGrid.of(InputSpec.imagenet(256, 192));
    private static final DetectorSettings SETTINGS = new DetectorSettings(0.5f, 0.4f, 32);

    @Test
    void gridIsOneCellPerEightInputPixels() {
        assertThat(GRID.cols()).isEqualTo(32);
        assertThat(GRID.rows()).isEqualTo(24);
        assertThat(GRID.outputShape()).containsExactly(5, 24, 32);
    }

    @Test
    void targetsPeakAtTheCentreCellAndCarryTheBoxThere() {
        Box face = new Box(100, 60, 40, 48); // centre (120, 84): cell column 15, row 10
        FaceGrid.Targets t = GRID.encode(List.of(face));
        int n = GRID.cells();
        int centre = 10 * 32 + 15;

        assertThat(t.objectness()[centre]).isEqualTo(1f);
        assertThat(t.boxWeight()[centre]).isEqualTo(1f);
        assertThat(t.box()[centre]).isCloseTo((float) (120 / 8.0 - 15.5), within(1e-6f));
        assertThat(t.box()[n + centre]).isCloseTo((float) (84 / 8.0 - 10.5), within(1e-6f));
        assertThat(t.box()[2 * n + centre]).isCloseTo((float) Math.log(40 / 32.0), within(1e-6f));
        assertThat(t.box()[3 * n + centre]).isCloseTo((float) Math.log(48 / 32.0), within(1e-6f));
        // the centre lies on the border of columns 14 and 15: column 14 gets a smaller bump, and its box offset
        // points back to the same centre; column 16, a cell and a half away, is under the box threshold
        assertThat(t.objectness()[centre - 1]).isBetween(0.3f, 0.99f);
        assertThat(t.box()[centre - 1]).isCloseTo((float) (120 / 8.0 - 14.5), within(1e-6f));
        assertThat(t.boxWeight()[centre + 1]).isZero();
        // far away: background, no box
        assertThat(t.objectness()[0]).isZero();
        assertThat(t.boxWeight()[0]).isZero();
    }

    @Test
    void facesOutsideTheInputOrWithoutAreaGiveNoTarget() {
        FaceGrid.Targets t = GRID.encode(List.of(new Box(300, 10, 20, 20), new Box(50, 50, 0, 10)));

        for (float v : t.objectness()) {
            assertThat(v).isZero();
        }
    }

    @Test
    void decodingPerfectTargetsGivesTheFacesBackInFramePixels() {
        // A 640x480 frame letterboxed into 256x192: scale 0.4, no padding.
        Letterbox letterbox = Letterbox.of(640, 480, 256, 192);
        List<Box> faces = List.of(new Box(40, 60, 50, 60), new Box(300, 200, 190, 210), new Box(500, 380, 42, 48));
        List<Box> input = faces.stream().map(letterbox::toInput).toList();
        float[] output = outputOf(GRID.encode(input));

        List<Detection> found = GRID.decode(output, 0, letterbox, SETTINGS);

        assertThat(found).hasSize(3);
        for (Box face : faces) {
            double best = found.stream().mapToDouble(d -> d.box().iou(face)).max().orElse(0);
            assertThat(best).as("IoU with %s", face).isGreaterThan(0.999);
        }
        for (int i = 1; i < found.size(); i++) {
            assertThat(found.get(i).score()).isLessThanOrEqualTo(found.get(i - 1).score());
        }
    }

    @Test
    void decodingReadsTheImageAtItsOffsetAndMapsThroughPadding() {
        // A 4:3 grid fed a square frame: padded left and right.
        Letterbox letterbox = Letterbox.of(480, 480, 256, 192);
        Box face = new Box(200, 100, 80, 90);
        float[] one = outputOf(GRID.encode(List.of(letterbox.toInput(face))));
        float[] two = new float[2 * one.length];
        System.arraycopy(outputOf(GRID.encode(List.of())), 0, two, 0, one.length);
        System.arraycopy(one, 0, two, one.length, one.length);

        assertThat(GRID.decode(two, 0, letterbox, SETTINGS)).isEmpty();
        List<Detection> found = GRID.decode(two, one.length, letterbox, SETTINGS);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).box().iou(face)).isGreaterThan(0.999);
    }

    @Test
    void onlyLocalMaximaAboveTheMinimumScoreBecomeCandidates() {
        float[] output = new float[5 * GRID.cells()];
        java.util.Arrays.fill(output, 0, GRID.cells(), -10f);
        output[5 * 32 + 5] = 3f;      // a peak
        output[5 * 32 + 6] = 2f;      // its weaker neighbour: not a local maximum
        output[15 * 32 + 20] = -1f;   // isolated but under 0.5 (sigmoid 0.27)
        List<Detection> found = GRID.decode(output, 0, Letterbox.of(256, 192, 256, 192), SETTINGS);

        assertThat(found).hasSize(1);
        assertThat(found.get(0).score()).isCloseTo((float) (1 / (1 + Math.exp(-3))), within(1e-6f));
        // zero offsets and log sizes: a 32 px box centred on the cell centre (44, 44)
        assertThat(found.get(0).box().centreX()).isCloseTo(44, within(1e-9));
        assertThat(found.get(0).box().w()).isCloseTo(32, within(1e-9));
    }

    /** A network output that says exactly what the targets say: confident at the centre cells, sure elsewhere. */
    static float[] outputOf(FaceGrid.Targets t) {
        int n = t.objectness().length;
        float[] out = new float[5 * n];
        for (int cell = 0; cell < n; cell++) {
            out[cell] = t.objectness()[cell] == 1f ? 6f : t.objectness()[cell] > 0 ? -1f : -8f;
        }
        System.arraycopy(t.box(), 0, out, n, 4 * n);
        return out;
    }
}
