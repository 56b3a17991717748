package io.maskstream.evaluation.metrics;

import io.maskstream.model.LabelCodec;
import java.util.function.IntFunction;

/**
 * The 18-class verdicts on the labeled faces of scenes, where a face the detector missed counts as a wrong answer:
 * it adds to its true class's support (so lowers that class's recall) without crediting any class. Matched faces
 * count like portraits in a {@link Confusion}. Macro-F1 follows {@link Confusion}'s definition otherwise.
 */
public final class FaceScores {

    private static final int N = LabelCodec.CLASSES;

    /** Rows: true class; columns: predicted class, and column {@value #N} for "the face was missed". */
    private final int[][] counts = new int[N + 1][N + 1];

    /** A labeled face the detector found, and the class the classifier gave it. */
    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    /** A labeled face the detector missed. */
    public void missed(int truth) {
        counts[truth][N]++;
    }

    /** Labeled faces counted, found or missed. */
    public int faces() {
        int n = 0;
        for (int t = 0; t < N; t++) {
            n += Confusion.support(counts, t);
        }
        return n;
    }

    /** Labeled faces missed. */
    public int missedFaces() {
        int n = 0;
        for (int t = 0; t < N; t++) {
            n += counts[t][N];
        }
        return n;
    }

    /** The matched faces' confusion alone (what the classifier did with what it was given). */
    public Confusion matched() {
        Confusion c = new Confusion();
        for (int t = 0; t < N; t++) {
            for (int p = 0; p < N; p++) {
                c.add(t, p, counts[t][p]);
            }
        }
        return c;
    }

    /** 18-class macro-F1, misses counted as wrong answers. */
    public double macroF1() {
        return macroF1(counts, N);
    }

    /** Accuracy over every labeled face, misses counted as wrong. */
    public double accuracy() {
        int correct = 0;
        for (int c = 0; c < N; c++) {
            correct += counts[c][c];
        }
        int faces = faces();
        return faces == 0 ? 0 : correct / (double) faces;
    }

    /** Macro-F1 of the mask head, misses counted as wrong. */
    public double maskF1() {
        return macroF1(fold(3, LabelCodec::mask), 3);
    }

    /** Macro-F1 of the gender head, misses counted as wrong. */
    public double genderF1() {
        return macroF1(fold(2, LabelCodec::gender), 2);
    }

    /** Macro-F1 of the age head, misses counted as wrong. */
    public double ageF1() {
        return macroF1(fold(3, LabelCodec::age), 3);
    }

    private int[][] fold(int n, IntFunction<? extends Enum<?>> head) {
        int[][] f = new int[n + 1][n + 1];
        for (int t = 0; t < N; t++) {
            for (int p = 0; p <= N; p++) {
                f[head.apply(t).ordinal()][p == N ? n : head.apply(p).ordinal()] += counts[t][p];
            }
        }
        return f;
    }

    /** Macro-F1 over the first {@code labels} classes of a matrix whose last column holds the misses. */
    private static double macroF1(int[][] m, int labels) {
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < labels; c++) {
            if (Confusion.support(m, c) == 0 && Confusion.predicted(m, c) == 0) {
                continue;
            }
            counted++;
            sum += Confusion.f1(m, c);
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /**
     * As the Avro record of releases and reports: the metrics with misses counted as wrong, the per-class figures
     * likewise (support includes missed faces), and the confusion of the matched faces.
     */
    public io.maskstream.events.ModelMetrics toModelMetrics(String holdout) {
        java.util.List<io.maskstream.events.ClassMetrics> perClass = new java.util.ArrayList<>();
        java.util.List<java.util.List<Integer>> confusion = new java.util.ArrayList<>();
        for (int c = 0; c < N; c++) {
            perClass.add(io.maskstream.events.ClassMetrics.newBuilder().setClassCode(c)
                    .setPrecision(Confusion.precision(counts, c)).setRecall(Confusion.recall(counts, c))
                    .setF1(Confusion.f1(counts, c)).setSupport(Confusion.support(counts, c)).build());
            java.util.List<Integer> row = new java.util.ArrayList<>();
            for (int p = 0; p < N; p++) {
                row.add(counts[c][p]);
            }
            confusion.add(row);
        }
        return io.maskstream.events.ModelMetrics.newBuilder().setMacroF1(macroF1()).setAccuracy(accuracy())
                .setMaskF1(maskF1()).setGenderF1(genderF1()).setAgeF1(ageF1()).setSamples(faces()).setHoldout(holdout)
                .setPerClass(perClass).setConfusion(confusion).build();
    }
}
