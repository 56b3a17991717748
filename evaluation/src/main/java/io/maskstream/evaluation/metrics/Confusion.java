package io.maskstream.evaluation.metrics;

import io.maskstream.events.ClassMetrics;
import io.maskstream.events.ModelMetrics;
import io.maskstream.model.LabelCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * An 18x18 confusion matrix (rows: true class, columns: predicted class) and the metrics derived from it.
 *
 * <p>Macro-F1 follows scikit-learn's {@code f1_score(average='macro')}, the competition's metric: the mean of
 * the per-class F1 over the classes that occur in the truth or in the predictions; a class absent from both does
 * not count, a class in only one of them counts with F1 0 (precision or recall defined as 0 when its
 * denominator is 0). The per-head F1 (mask, gender, age) is the same macro-F1 on the head's own confusion
 * matrix, folded from the 18 classes.
 */
public final class Confusion {

    private final int[][] counts;

    public Confusion() {
        this(LabelCodec.CLASSES);
    }

    private Confusion(int n) {
        counts = new int[n][n];
    }

    /** Counts one answer. */
    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    /** Counts {@code times} identical answers. */
    public void add(int truth, int predicted, int times) {
        counts[truth][predicted] += times;
    }

    /** Adds every count of {@code other}. */
    public void addAll(Confusion other) {
        for (int t = 0; t < counts.length; t++) {
            for (int p = 0; p < counts.length; p++) {
                counts[t][p] += other.counts[t][p];
            }
        }
    }

    public int count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public int total() {
        int n = 0;
        for (int[] row : counts) {
            for (int c : row) {
                n += c;
            }
        }
        return n;
    }

    public double accuracy() {
        return accuracy(counts);
    }

    public double macroF1() {
        return macroF1(counts);
    }

    /** Macro-F1 of the mask head (3 states). */
    public double maskF1() {
        return macroF1(fold(3, LabelCodec::mask));
    }

    /** Macro-F1 of the gender head (2 classes). */
    public double genderF1() {
        return macroF1(fold(2, LabelCodec::gender));
    }

    /** Macro-F1 of the age head (3 bands, competition boundaries). */
    public double ageF1() {
        return macroF1(fold(3, LabelCodec::age));
    }

    private int[][] fold(int n, java.util.function.IntFunction<? extends Enum<?>> head) {
        int[][] f = new int[n][n];
        for (int t = 0; t < counts.length; t++) {
            for (int p = 0; p < counts.length; p++) {
                f[head.apply(t).ordinal()][head.apply(p).ordinal()] += counts[t][p];
            }
        }
        return f;
    }

    static double accuracy(int[][] m) {
        long correct = 0;
        long total = 0;
        for (int t = 0; t < m.length; t++) {
            for (int p = 0; p < m.length; p++) {
                total += m[t][p];
                if (t == p) {
                    correct += m[t][p];
                }
            }
        }
        return total == 0 ? 0 : correct / (double) total;
    }

    static double macroF1(int[][] m) {
        double sum = 0;
        int labels = 0;
        for (int c = 0; c < m.length; c++) {
            if (support(m, c) == 0 && predicted(m, c) == 0) {
                continue;
            }
            labels++;
            sum += f1(m, c);
        }
        return labels == 0 ? 0 : sum / labels;
    }

    static int support(int[][] m, int c) {
        int n = 0;
        for (int p = 0; p < m.length; p++) {
            n += m[c][p];
        }
        return n;
    }

    static int predicted(int[][] m, int c) {
        int n = 0;
        for (int[] row : m) {
            n += row[c];
        }
        return n;
    }

    static double precision(int[][] m, int c) {
        int p = predicted(m, c);
        return p == 0 ? 0 : m[c][c] / (double) p;
    }

    static double recall(int[][] m, int c) {
        int s = support(m, c);
        return s == 0 ? 0 : m[c][c] / (double) s;
    }

    static double f1(int[][] m, int c) {
        double p = precision(m, c);
        double r = recall(m, c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Everything, as the Avro record stored in model releases and reports. */
    public ModelMetrics toModelMetrics(String holdout) {
        List<ClassMetrics> perClass = new ArrayList<>();
        List<List<Integer>> confusion = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            perClass.add(ClassMetrics.newBuilder().setClassCode(c).setPrecision(precision(counts, c))
                    .setRecall(recall(counts, c)).setF1(f1(counts, c)).setSupport(support(counts, c)).build());
            List<Integer> row = new ArrayList<>();
            for (int p = 0; p < counts.length; p++) {
                row.add(counts[c][p]);
            }
            confusion.add(row);
        }
        return ModelMetrics.newBuilder().setMacroF1(macroF1()).setAccuracy(accuracy()).setMaskF1(maskF1())
                .setGenderF1(genderF1()).setAgeF1(ageF1()).setSamples(total()).setHoldout(holdout)
                .setPerClass(perClass).setConfusion(confusion).build();
    }
}
