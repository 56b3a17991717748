package io.maskstream.evaluation.metrics;

import io.maskstream.model.Box;
import io.maskstream.model.Detection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Face detection scored as PASCAL VOC and COCO score boxes, accumulated image by image.
 *
 * <p>Per image, predictions are matched to the truth greedily by descending score: each prediction takes the
 * still-unmatched truth face it overlaps most, if that IoU is at least the threshold (0.5 by default); each truth face
 * is matched at most once. A matched prediction is a true positive, an unmatched prediction a false positive, an
 * unmatched truth face a false negative. Precision and recall follow (0 when their denominator is 0, as
 * {@link Confusion} does); recall is also given per truth label key (the caller's choice: we pass the mask state).
 * Precision has no per-key form: a false positive matches no truth face, so it has no key.
 *
 * <p>Average precision at the threshold is the area under the precision–recall curve of all predictions of all images
 * ranked by score, with all-point interpolation (VOC 2010 onwards; COCO's AP50 differs only in sampling recall at 101
 * points): precision at each rank is replaced by the best precision at that recall or beyond, and summed over the
 * recall steps. AP is NaN when no truth face was added.
 *
 * <p>Not thread-safe; one instance per evaluation.
 */
public final class DetectionMetrics {

    /** The IoU at which a prediction counts as finding a face, unless told otherwise. */
    public static final double DEFAULT_IOU = 0.5;

    /** A labeled face: its box and a key it is counted under (e.g. its mask state). */
    public record Truth(Box box, String key) {

        /** Validates. */
        public Truth {
            Objects.requireNonNull(box, "box");
            Objects.requireNonNull(key, "key");
        }
    }

    /** Counts of one key (or of all faces): true positives, false positives, false negatives. */
    public record Counts(long truePositives, long falsePositives, long falseNegatives) {

        /** TP / (TP + FP); 0 when there are no predictions. */
        public double precision() {
            return ratio(truePositives, truePositives + falsePositives);
        }

        /** TP / (TP + FN); 0 when there are no truth faces. */
        public double recall() {
            return ratio(truePositives, truePositives + falseNegatives);
        }

        /** How many truth faces were counted: TP + FN. */
        public long truths() {
            return truePositives + falseNegatives;
        }
    }

    private final double iou;
    private final List<Scored> ranked = new ArrayList<>();
    private final Map<String, long[]> byKey = new TreeMap<>();
    private long truePositives;
    private long falsePositives;
    private long falseNegatives;
    private long images;

    /** Metrics at IoU 0.5. */
    public DetectionMetrics() {
        this(DEFAULT_IOU);
    }

    /** Metrics at the given IoU threshold, within (0, 1]. */
    public DetectionMetrics(double iou) {
        if (!(iou > 0 && iou <= 1)) {
            throw new IllegalArgumentException("the IoU threshold must be within (0, 1], got " + iou);
        }
        this.iou = iou;
    }

    /**
     * For each truth face, the index of the prediction matched to it (greedy by descending score, IoU at least
     * {@code minIou}), or -1 when none was: a missed face. Ties in score keep the predictions' order.
     */
    public static int[] matchTruths(List<Box> truths, List<Detection> predictions, double minIou) {
        int[] truthToPrediction = new int[truths.size()];
        java.util.Arrays.fill(truthToPrediction, -1);
        Integer[] order = new Integer[predictions.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> predictions.get(i).score()).reversed());
        for (int p : order) {
            Box box = predictions.get(p).box();
            int best = -1;
            double bestIou = minIou;
            for (int t = 0; t < truths.size(); t++) {
                if (truthToPrediction[t] >= 0) {
                    continue;
                }
                double overlap = truths.get(t).iou(box);
                if (overlap >= bestIou && (best < 0 || overlap > bestIou)) {
                    best = t;
                    bestIou = overlap;
                }
            }
            if (best >= 0) {
                truthToPrediction[best] = p;
            }
        }
        return truthToPrediction;
    }

    /** As {@link #matchTruths(List, List, double)} at IoU 0.5. */
    public static int[] matchTruths(List<Box> truths, List<Detection> predictions) {
        return matchTruths(truths, predictions, DEFAULT_IOU);
    }

    /**
     * Counts one image: its truth faces and the detector's predictions for it.
     *
     * @return for each truth face the index of its matched prediction, or -1 (as {@link #matchTruths})
     */
    public int[] add(List<Truth> truths, List<Detection> predictions) {
        List<Box> boxes = new ArrayList<>(truths.size());
        for (Truth t : truths) {
            boxes.add(t.box());
        }
        int[] match = matchTruths(boxes, predictions, iou);
        boolean[] matched = new boolean[predictions.size()];
        for (int t = 0; t < truths.size(); t++) {
            long[] counts = byKey.computeIfAbsent(truths.get(t).key(), k -> new long[2]);
            if (match[t] >= 0) {
                matched[match[t]] = true;
                counts[0]++;
                truePositives++;
            } else {
                counts[1]++;
                falseNegatives++;
            }
        }
        for (int p = 0; p < predictions.size(); p++) {
            ranked.add(new Scored(predictions.get(p).score(), matched[p]));
            if (!matched[p]) {
                falsePositives++;
            }
        }
        images++;
        return match;
    }

    /** Counts one image whose faces all have the same key. */
    public int[] addBoxes(List<Box> truths, String key, List<Detection> predictions) {
        List<Truth> labeled = new ArrayList<>(truths.size());
        for (Box b : truths) {
            labeled.add(new Truth(b, key));
        }
        return add(labeled, predictions);
    }

    /** The IoU threshold. */
    public double iou() {
        return iou;
    }

    /** Images counted. */
    public long images() {
        return images;
    }

    /** All faces and predictions. */
    public Counts counts() {
        return new Counts(truePositives, falsePositives, falseNegatives);
    }

    /** Overall precision. */
    public double precision() {
        return counts().precision();
    }

    /** Overall recall. */
    public double recall() {
        return counts().recall();
    }

    /** Recall over the truth faces of one key; 0 for a key never seen. */
    public double recall(String key) {
        long[] c = byKey.get(key);
        return c == null ? 0 : ratio(c[0], c[0] + c[1]);
    }

    /**
     * Per key, its truth faces' true positives and false negatives, sorted by key. False positives are 0 here: they
     * belong to no key (see {@link #counts()} for them).
     */
    public Map<String, Counts> byKey() {
        Map<String, Counts> out = new TreeMap<>();
        byKey.forEach((k, c) -> out.put(k, new Counts(c[0], 0, c[1])));
        return out;
    }

    /** All-point interpolated average precision at the IoU threshold; NaN when no truth face was counted. */
    public double averagePrecision() {
        long positives = truePositives + falseNegatives;
        if (positives == 0) {
            return Double.NaN;
        }
        List<Scored> sorted = new ArrayList<>(ranked);
        sorted.sort(Comparator.comparingDouble(Scored::score).reversed()); // stable: ties keep the order added
        int n = sorted.size();
        double[] precision = new double[n];
        double[] recall = new double[n];
        long tp = 0;
        for (int i = 0; i < n; i++) {
            if (sorted.get(i).truePositive()) {
                tp++;
            }
            precision[i] = (double) tp / (i + 1);
            recall[i] = (double) tp / positives;
        }
        for (int i = n - 2; i >= 0; i--) {
            precision[i] = Math.max(precision[i], precision[i + 1]);
        }
        double ap = 0;
        double previousRecall = 0;
        for (int i = 0; i < n; i++) {
            if (recall[i] > previousRecall) {
                ap += (recall[i] - previousRecall) * precision[i];
                previousRecall = recall[i];
            }
        }
        return ap;
    }

    @Override
    public String toString() {
        StringBuilder perKey = new StringBuilder();
        byKey().forEach((k, c) -> perKey.append(String.format(java.util.Locale.ROOT, ", recall[%s] %.3f (%d/%d)", k,
                c.recall(), c.truePositives(), c.truths())));
        return String.format(java.util.Locale.ROOT, "precision %.3f, recall %.3f, AP@%.2f %.3f (TP %d, FP %d, FN %d, %d "
                        + "images)%s", precision(), recall(), iou, averagePrecision(), truePositives, falsePositives,
                falseNegatives, images, perKey);
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    private record Scored(float score, boolean truePositive) {
    }
}
