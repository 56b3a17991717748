package io.maskstream.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link HeadLayout#FACE_GRID} output means, in one place for training (targets) and serving (decoding): the
 * detector's translator, as {@link ImagePreprocessor} is its image side.
 *
 * <p>The output is {@code [N,5,rows,cols]}, one cell per {@value #STRIDE}×{@value #STRIDE} input pixels. Cell
 * {@code (r, c)} has its centre at input pixel {@code ((c+0.5)·8, (r+0.5)·8)}; its channels are
 * <ul>
 *   <li>0, objectness logit: its sigmoid is the score that a face's centre lies in this cell;</li>
 *   <li>1 and 2, {@code dx} and {@code dy}: the face centre's offset from the cell centre, in cells (centre x =
 *       {@code (c + 0.5 + dx)·8});</li>
 *   <li>3 and 4, {@code lw} and {@code lh}: the face's log width and height relative to {@value #REFERENCE_SIZE} px
 *       (width = {@code 32·exp(lw)}).</li>
 * </ul>
 *
 * <p>Targets (CenterNet style): the objectness target is a Gaussian bump per face, 1 exactly at the cell holding its
 * centre and falling off with a spread of a sixth of the face's size (at least half a cell) each way; cells where the
 * bump is at least {@value #BOX_TARGET_MIN} also regress that face's box (weighted by the bump), so that the local
 * maximum decoding picks, which may be a neighbour of the centre cell, still carries a good box. Where faces overlap
 * a cell takes the larger bump.
 *
 * <p>Decoding: a cell is a candidate when its score is a local maximum of its 3×3 neighbourhood and at least the
 * minimum score; its box is mapped from input pixels back to the frame through the {@link Letterbox}, clipped, then
 * overlaps are suppressed ({@link Detections#suppress}).
 *
 * <p>Immutable and thread-safe.
 */
public final class FaceGrid {

    /** Input pixels per cell side. */
    public static final int STRIDE = 8;
    /** Output channels: objectness, dx, dy, log width, log height. */
    public static final int CHANNELS = 5;
    /** The face size, in input pixels, that a log size of 0 means. */
    public static final double REFERENCE_SIZE = 32;
    /** Below this objectness target a cell regresses no box. */
    static final float BOX_TARGET_MIN = 0.3f;
    /** Log sizes are clamped to this magnitude before {@code exp}, so a wild output cannot overflow a box. */
    private static final double MAX_LOG_SIZE = 4;

    private final int width;
    private final int height;
    private final int cols;
    private final int rows;

    private FaceGrid(int width, int height) {
        if (width % STRIDE != 0 || height % STRIDE != 0) {
            throw new IllegalArgumentException("a face grid needs input sides that are multiples of " + STRIDE + ", got "
                    + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.cols = width / STRIDE;
        this.rows = height / STRIDE;
    }

    /** The grid of a detector taking {@code input}. */
    public static FaceGrid of(InputSpec input) {
        return new FaceGrid(input.width(), input.height());
    }

    /** Cells per row. */
    public int cols() {
        return cols;
    }

    /** Rows of cells. */
    public int rows() {
        return rows;
    }

    /** Cells per map. */
    public int cells() {
        return cols * rows;
    }

    /** What one image's output must look like, without the batch axis: {@code {5, rows, cols}}. */
    public long[] outputShape() {
        return new long[] {CHANNELS, rows, cols};
    }

    /**
     * Training targets of one image, each map row-major over the grid: {@code objectness[cell]},
     * {@code box[k·cells + cell]} for k = dx, dy, lw, lh, and {@code boxWeight[cell]} (0 where no box is regressed).
     */
    public record Targets(float[] objectness, float[] box, float[] boxWeight) {
    }

    /**
     * The targets of an image whose faces are {@code faces}, in input pixels. Faces whose centre lies outside the
     * input, or that have no area, are left out.
     */
    public Targets encode(List<Box> faces) {
        int n = cells();
        float[] objectness = new float[n];
        float[] box = new float[4 * n];
        float[] weight = new float[n];
        for (Box face : faces) {
            double cx = face.centreX() / STRIDE;
            double cy = face.centreY() / STRIDE;
            if (face.w() <= 0 || face.h() <= 0 || cx < 0 || cy < 0 || cx >= cols || cy >= rows) {
                continue;
            }
            double sx = Math.max(0.5, face.w() / STRIDE / 6);
            double sy = Math.max(0.5, face.h() / STRIDE / 6);
            int centreCol = (int) cx;
            int centreRow = (int) cy;
            int reachX = (int) Math.ceil(3 * sx);
            int reachY = (int) Math.ceil(3 * sy);
            float lw = (float) Math.log(face.w() / REFERENCE_SIZE);
            float lh = (float) Math.log(face.h() / REFERENCE_SIZE);
            for (int r = Math.max(0, centreRow - reachY); r <= Math.min(rows - 1, centreRow + reachY); r++) {
                for (int c = Math.max(0, centreCol - reachX); c <= Math.min(cols - 1, centreCol + reachX); c++) {
                    double ox = cx - (c + 0.5);
                    double oy = cy - (r + 0.5);
                    float bump = r == centreRow && c == centreCol ? 1f
                            : (float) Math.exp(-(ox * ox / (2 * sx * sx) + oy * oy / (2 * sy * sy)));
                    int cell = r * cols + c;
                    if (bump > objectness[cell]) {
                        objectness[cell] = bump;
                        if (bump >= BOX_TARGET_MIN) {
                            weight[cell] = bump;
                            box[cell] = (float) ox;
                            box[n + cell] = (float) oy;
                            box[2 * n + cell] = lw;
                            box[3 * n + cell] = lh;
                        } else {
                            weight[cell] = 0f;
                        }
                    }
                }
            }
        }
        return new Targets(objectness, box, weight);
    }

    /**
     * The faces in one image's output: {@code output} holds a batch's outputs row-major ({@code [N,5,rows,cols]}),
     * the image's begin at {@code offset}. Boxes are in the frame's pixels ({@code letterbox} maps them), clipped,
     * at least the minimum score, overlaps suppressed, at most {@code maxFaces}, highest score first.
     */
    public List<Detection> decode(float[] output, int offset, Letterbox letterbox, DetectorSettings settings) {
        Objects.requireNonNull(letterbox, "letterbox");
        int n = cells();
        float[] score = new float[n];
        for (int cell = 0; cell < n; cell++) {
            score[cell] = sigmoid(output[offset + cell]);
        }
        List<Detection> candidates = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int cell = r * cols + c;
                float s = score[cell];
                if (!(s >= settings.minScore()) || !isLocalMaximum(score, r, c)) {
                    continue;
                }
                double cx = (c + 0.5 + output[offset + n + cell]) * STRIDE;
                double cy = (r + 0.5 + output[offset + 2 * n + cell]) * STRIDE;
                double w = REFERENCE_SIZE * Math.exp(clamp(output[offset + 3 * n + cell]));
                double h = REFERENCE_SIZE * Math.exp(clamp(output[offset + 4 * n + cell]));
                if (!Double.isFinite(cx) || !Double.isFinite(cy)) {
                    continue;
                }
                Box source = letterbox.toSource(new Box(cx - w / 2, cy - h / 2, w, h));
                if (source != null) {
                    candidates.add(new Detection(source, s));
                }
            }
        }
        return Detections.suppress(candidates, settings);
    }

    private boolean isLocalMaximum(float[] score, int r, int c) {
        float s = score[r * cols + c];
        for (int rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++) {
            for (int cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) {
                if (score[rr * cols + cc] > s) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double clamp(float logSize) {
        return Float.isFinite(logSize) ? Math.max(-MAX_LOG_SIZE, Math.min(MAX_LOG_SIZE, logSize)) : 0;
    }

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    @Override
    public String toString() {
        return "FaceGrid[" + cols + "x" + rows + " cells of " + STRIDE + " px, input " + width + "x" + height + "]";
    }
}
