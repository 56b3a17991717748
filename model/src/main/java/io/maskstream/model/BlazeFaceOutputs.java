package io.maskstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * How BlazeFace's raw outputs become face boxes: which output holds what, the 896 anchors they are relative to, and
 * the decoding MediaPipe's SSD anchor config prescribes.
 *
 * <p>BlazeFace predicts, for each of 896 anchors, one score logit and 16 regressors: the box centre's offset from
 * the anchor and the box size, in input pixels, then six key points (eyes, nose, mouth, ears; unused here). The
 * anchors sit at the centres of a 16×16 grid (2 per cell: 512) and of an 8×8 grid (6 per cell: 384), in that order,
 * row by row; MediaPipe's config (strides 8, 16, 16, 16 for the 128 px front model, 16, 32, 32, 32 for the 256 px
 * back model, fixed anchor size) gives exactly these centres for both models, so one decoder serves both.
 *
 * <p>Two output layouts are understood: MediaPipe's own (regressors {@code [B, 896, 16]}, scores {@code [B, 896, 1]})
 * and the Barracuda export (the two grids apart: scores {@code [B, 512, 1]} and {@code [B, 384, 1]}, regressors
 * {@code [B, 512, 16]} and {@code [B, 384, 16]}). Outputs are recognised by shape, never by name.
 */
final class BlazeFaceOutputs {

    /** Anchors in all. */
    static final int ANCHORS = 896;
    /** Regressors per anchor: box centre x, y, width, height, then six key points (x, y). */
    static final int REGRESSORS = 16;
    private static final int[][] GRIDS = {{16, 2}, {8, 6}}; // cells per side, anchors per cell
    private static final int FIRST_GRID = 16 * 16 * 2;
    /** MediaPipe clips score logits to this magnitude before the sigmoid. */
    private static final float LOGIT_CLIP = 100f;

    private final int[] scoreOutputs;
    private final int[] boxOutputs;
    private final int[] anchorsPerOutput;
    private final float[] anchorX;
    private final float[] anchorY;

    private BlazeFaceOutputs(int[] scoreOutputs, int[] boxOutputs, int[] anchorsPerOutput) {
        this.scoreOutputs = scoreOutputs;
        this.boxOutputs = boxOutputs;
        this.anchorsPerOutput = anchorsPerOutput;
        this.anchorX = new float[ANCHORS];
        this.anchorY = new float[ANCHORS];
        int i = 0;
        for (int[] grid : GRIDS) {
            int cells = grid[0];
            for (int y = 0; y < cells; y++) {
                for (int x = 0; x < cells; x++) {
                    for (int a = 0; a < grid[1]; a++) {
                        anchorX[i] = (x + 0.5f) / cells;
                        anchorY[i] = (y + 0.5f) / cells;
                        i++;
                    }
                }
            }
        }
    }

    /**
     * The layout of outputs with these shapes (batch dimension first), or null when they are not BlazeFace's: one
     * {@code [B, 896, 1]} and one {@code [B, 896, 16]}, or {@code [B, 512, 1]}, {@code [B, 384, 1]},
     * {@code [B, 512, 16]} and {@code [B, 384, 16]} in any order.
     */
    static BlazeFaceOutputs recognise(List<Shape> shapes) {
        if (shapes.size() == 2) {
            int scores = find(shapes, ANCHORS, 1);
            int boxes = find(shapes, ANCHORS, REGRESSORS);
            return scores < 0 || boxes < 0 ? null
                    : new BlazeFaceOutputs(new int[] {scores}, new int[] {boxes}, new int[] {ANCHORS});
        }
        if (shapes.size() == 4) {
            int[] scores = {find(shapes, FIRST_GRID, 1), find(shapes, ANCHORS - FIRST_GRID, 1)};
            int[] boxes = {find(shapes, FIRST_GRID, REGRESSORS), find(shapes, ANCHORS - FIRST_GRID, REGRESSORS)};
            for (int k = 0; k < 2; k++) {
                if (scores[k] < 0 || boxes[k] < 0) {
                    return null;
                }
            }
            return new BlazeFaceOutputs(scores, boxes, new int[] {FIRST_GRID, ANCHORS - FIRST_GRID});
        }
        return null;
    }

    /** What {@link #recognise} accepts, for refusals. */
    static String expected() {
        return "[B, 896, 1] scores and [B, 896, 16] regressors, or the Barracuda export's [B, 512, 1], [B, 384, 1], "
                + "[B, 512, 16] and [B, 384, 16]";
    }

    private static int find(List<Shape> shapes, long anchors, long perAnchor) {
        for (int i = 0; i < shapes.size(); i++) {
            Shape s = shapes.get(i);
            if (s.dimension() == 3 && s.get(1) == anchors && s.get(2) == perAnchor) {
                return i;
            }
        }
        return -1;
    }

    /** The first dimension of every output, which must be the same. */
    static long batchOf(List<Shape> shapes) {
        return shapes.get(0).get(0);
    }

    /**
     * The candidate faces of each of the {@code frames} frames in one forward pass's outputs, in the letterboxed
     * input's pixels ({@code side × side}), only those scoring at least {@code minScore}; not yet suppressed.
     */
    List<List<Detection>> decode(NDList outputs, int frames, int side, float minScore) {
        float[][] scores = new float[scoreOutputs.length][];
        float[][] boxes = new float[boxOutputs.length][];
        for (int k = 0; k < scoreOutputs.length; k++) {
            scores[k] = floats(outputs.get(scoreOutputs[k]), (long) frames * anchorsPerOutput[k]);
            boxes[k] = floats(outputs.get(boxOutputs[k]), (long) frames * anchorsPerOutput[k] * REGRESSORS);
        }
        float minLogit = (float) Math.log(minScore / (1.0 - minScore));
        List<List<Detection>> all = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            List<Detection> found = new ArrayList<>();
            int anchor = 0;
            for (int k = 0; k < scoreOutputs.length; k++) {
                int count = anchorsPerOutput[k];
                for (int j = 0; j < count; j++, anchor++) {
                    float logit = scores[k][f * count + j];
                    if (!(logit >= minLogit)) { // NaN never becomes a face
                        continue;
                    }
                    int r = (f * count + j) * REGRESSORS;
                    double cx = anchorX[anchor] * side + boxes[k][r];
                    double cy = anchorY[anchor] * side + boxes[k][r + 1];
                    double w = boxes[k][r + 2];
                    double h = boxes[k][r + 3];
                    if (!(w > 0 && h > 0) || !Double.isFinite(cx) || !Double.isFinite(cy) || Double.isInfinite(w + h)) {
                        continue;
                    }
                    float score = (float) (1 / (1 + Math.exp(-Math.min(logit, LOGIT_CLIP))));
                    found.add(new Detection(new Box(cx - w / 2, cy - h / 2, w, h), score));
                }
            }
            all.add(found);
        }
        return all;
    }

    private static float[] floats(NDArray array, long expected) {
        float[] values = array.toFloatArray();
        if (values.length != expected) {
            throw new IllegalStateException("a BlazeFace output has " + values.length + " values where " + expected
                    + " were expected (shape " + array.getShape() + ")");
        }
        return values;
    }
}
