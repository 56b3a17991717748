package io.maskstream.processor;

import io.maskstream.model.BatchClassifier;
import io.maskstream.model.FaceDetector;
import io.maskstream.model.ScenePipeline;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model the processor serves, swappable while frames flow. A batch {@link #acquire() acquires} a lease
 * on the current model and releases it when done; {@link #swap(BatchClassifier)} makes the new model current
 * at once (the next batch gets it) and closes the old one only after its last batch has released it.
 * So a swap never pauses the stream, never closes a model under a running batch, and every batch is
 * inferred, start to finish, by exactly one model version.
 */
public final class ModelHolder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelHolder.class);

    private final AtomicReference<Lease> current = new AtomicReference<>();
    private final Consumer<String> onSwap;
    private volatile FaceDetector fileDetector;
    private volatile boolean ownsFileDetector = true;
    /** False for a sibling: {@link TrialModels} logs the serving set instead. */
    private volatile boolean logsSwaps = true;
    private volatile double defaultMargin = 0.2;

    /** @param onSwap told the new version after each swap (for metrics and logs) */
    public ModelHolder(Consumer<String> onSwap) {
        this.onSwap = onSwap;
    }

    /**
     * A counted reference to one loaded model: the classifier, and in detect mode the face detector whose crops it
     * classifies and the margin those crops are cut with. Closing it releases the reference.
     */
    public static final class Lease implements AutoCloseable {
        private final BatchClassifier classifier;
        private final FaceDetector detector;
        private final boolean ownsDetector;
        private final double cropMargin;
        // One reference belongs to the holder while the model is current; each batch adds one.
        private final AtomicInteger refs = new AtomicInteger(1);

        private Lease(BatchClassifier classifier, FaceDetector detector, boolean ownsDetector, double cropMargin) {
            this.classifier = classifier;
            this.detector = detector;
            this.ownsDetector = ownsDetector;
            this.cropMargin = cropMargin;
        }

        public BatchClassifier classifier() {
            return classifier;
        }

        /** The face detector to use with this classifier; null when there is none (whole-frame mode). */
        public FaceDetector detector() {
            return detector;
        }

        /** How far face boxes grow before they are cut for this classifier. */
        public double cropMargin() {
            return cropMargin;
        }

        boolean tryRetain() {
            while (true) {
                int n = refs.get();
                if (n == 0) {
                    return false;
                }
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        @Override
        public void close() {
            if (refs.decrementAndGet() == 0) {
                LOG.info("Closing model {} (its last batch is done)", classifier.version());
                classifier.close();
                if (ownsDetector && detector != null) {
                    detector.close();
                }
            }
        }
    }

    /**
     * A holder for a model served beside this one (a shadow or a canary): it uses this holder's pretrained detector
     * and crop margin, and closing it closes its own model only, never the shared detector.
     */
    ModelHolder sibling(Consumer<String> onSwap) {
        ModelHolder sibling = new ModelHolder(onSwap);
        sibling.fileDetector = fileDetector;
        sibling.ownsFileDetector = false;
        sibling.logsSwaps = false;
        sibling.defaultMargin = defaultMargin;
        return sibling;
    }

    /**
     * Detect mode with a pretrained detector file: {@code detector} serves beside every classifier swapped in without
     * a detector of its own; it is closed with the holder.
     */
    public void useFileDetector(FaceDetector detector) {
        this.fileDetector = detector;
    }

    /** The crop margin for classifiers that do not record their own. */
    public void defaultCropMargin(double margin) {
        this.defaultMargin = margin;
    }

    /** The pretrained detector set by {@link #useFileDetector}, or null. */
    public FaceDetector fileDetector() {
        return fileDetector;
    }

    /** A lease on the current model, or null when none is loaded yet. The caller must close it. */
    public Lease acquire() {
        while (true) {
            Lease lease = current.get();
            if (lease == null) {
                return null;
            }
            if (lease.tryRetain()) {
                return lease;
            }
            // lost a race with a swap that just dropped the last reference: read the new current model
        }
    }

    /** Makes {@code next} the model for every following batch. */
    public void swap(BatchClassifier next) {
        swap(next, null);
    }

    /**
     * Makes {@code next} the model for every following batch, with {@code detector} (owned: closed with it) as its
     * face detector, or the file detector when {@code detector} is null.
     */
    public void swap(BatchClassifier next, FaceDetector detector) {
        Lease old = current.getAndSet(lease(next, detector));
        if (logsSwaps) {
            LOG.info("Model {} is now serving{}", next.version(), old == null ? "" : " (was " + old.classifier.version() + ")");
        }
        onSwap.accept(next.version());
        if (old != null) {
            old.close();
        }
    }

    /** Makes {@code first} current only if no model is loaded yet; returns whether it did. */
    public boolean swapIfNone(BatchClassifier first) {
        return swapIfNone(first, null);
    }

    /** As {@link #swapIfNone(BatchClassifier)}, with the classifier's own detector (see {@link #swap(BatchClassifier, FaceDetector)}). */
    public boolean swapIfNone(BatchClassifier first, FaceDetector detector) {
        if (!current.compareAndSet(null, lease(first, detector))) {
            return false;
        }
        LOG.info("Model {} is now serving", first.version());
        onSwap.accept(first.version());
        return true;
    }

    /**
     * The current model's preprocessor (pure Java, safe to use after a swap), or null. Intake uses it to
     * decode frames to the current input size.
     */
    public io.maskstream.model.ImagePreprocessor currentPreprocessor() {
        Lease lease = current.get();
        return lease == null ? null : lease.classifier.preprocessor();
    }

    /** The version currently served, or null. */
    public String currentVersion() {
        Lease lease = current.get();
        return lease == null ? null : lease.classifier.version();
    }

    private Lease lease(BatchClassifier classifier, FaceDetector own) {
        double margin = ScenePipeline.cropMargin(classifier.metadata(), defaultMargin);
        return own != null ? new Lease(classifier, own, true, margin) : new Lease(classifier, fileDetector, false, margin);
    }

    @Override
    public void close() {
        Lease old = current.getAndSet(null);
        if (old != null) {
            old.close();
        }
        FaceDetector file = fileDetector;
        fileDetector = null;
        if (file != null && ownsFileDetector) {
            file.close();
        }
    }
}
