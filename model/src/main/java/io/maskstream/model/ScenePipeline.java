package io.maskstream.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Detect, then classify what was detected: the faces of many frames found in one detector pass, each cut from its
 * full-resolution frame ({@link ImagePreprocessor#crop}) and all crops classified in one classifier pass. The
 * processor, replay evaluation, {@code score} and the benchmark all run scenes through this one class.
 *
 * <p>Thread-safe when the detector and classifier are (both are).
 */
public final class ScenePipeline {

    /**
     * The training-summary key under which a classifier trained on face crops records the margin they were cut with;
     * serving cuts its crops the same way.
     */
    public static final String CROP_MARGIN_KEY = "crop.margin";

    /** One face: where the detector found it and what the classifier says about it. */
    public record Face(Detection detection, Prediction prediction) {
    }

    /** Time spent in each stage of one {@link #run}, in nanoseconds, and how many crops were classified. */
    public record Timing(long detectNanos, long classifyNanos, int crops) {
    }

    /** The crop margin a classifier records ({@link #CROP_MARGIN_KEY}), else {@code fallback}. */
    public static double cropMargin(BundleMetadata classifier, double fallback) {
        String recorded = classifier.trainingSummary().get(CROP_MARGIN_KEY);
        if (recorded == null) {
            return fallback;
        }
        try {
            double m = Double.parseDouble(recorded);
            return m >= 0 && Double.isFinite(m) ? m : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private final FaceDetector detector;
    private final BatchClassifier classifier;
    private final double margin;

    /** @param margin how far each face box grows before it is cut (see {@link ImagePreprocessor#crop}) */
    public ScenePipeline(FaceDetector detector, BatchClassifier classifier, double margin) {
        this.detector = Objects.requireNonNull(detector, "detector");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("the crop margin must be a finite number >= 0, got " + margin);
        }
        this.margin = margin;
    }

    /** The detector. */
    public FaceDetector detector() {
        return detector;
    }

    /** The classifier. */
    public BatchClassifier classifier() {
        return classifier;
    }

    /** The crop margin. */
    public double margin() {
        return margin;
    }

    /** The faces of each frame, in frame order, each frame's faces by descending box area (most prominent first). */
    public List<List<Face>> run(List<DecodedImage> frames, boolean flipTta) {
        return run(frames, flipTta, null);
    }

    /** As {@link #run(List, boolean)}, recording the time of each stage into {@code timing[0]} when given. */
    public List<List<Face>> run(List<DecodedImage> frames, boolean flipTta, Timing[] timing) {
        if (frames.isEmpty()) {
            return List.of();
        }
        long t0 = System.nanoTime();
        List<List<Detection>> found = detector.detect(frames);
        long t1 = System.nanoTime();
        ImagePreprocessor preprocessor = classifier.preprocessor();
        List<PreparedImage> crops = new ArrayList<>();
        for (int f = 0; f < frames.size(); f++) {
            for (Detection d : found.get(f)) {
                crops.add(preprocessor.crop(frames.get(f), d.box(), margin));
            }
        }
        List<Prediction> predictions = crops.isEmpty() ? List.of() : classifier.classify(crops, flipTta);
        long t2 = System.nanoTime();
        if (timing != null && timing.length > 0) {
            timing[0] = new Timing(t1 - t0, t2 - t1, crops.size());
        }
        List<List<Face>> out = new ArrayList<>(frames.size());
        int next = 0;
        for (int f = 0; f < frames.size(); f++) {
            List<Face> faces = new ArrayList<>(found.get(f).size());
            for (Detection d : found.get(f)) {
                faces.add(new Face(d, predictions.get(next++)));
            }
            faces.sort((a, b) -> Double.compare(b.detection().box().area(), a.detection().box().area()));
            out.add(List.copyOf(faces));
        }
        return out;
    }
}
