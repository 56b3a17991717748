package io.maskstream.processor;

import io.maskstream.model.BatchClassifier;
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

    /** @param onSwap told the new version after each swap (for metrics and logs) */
    public ModelHolder(Consumer<String> onSwap) {
        this.onSwap = onSwap;
    }

    /** A counted reference to one loaded model; closing it releases the reference. */
    public static final class Lease implements AutoCloseable {
        private final BatchClassifier classifier;
        // One reference belongs to the holder while the model is current; each batch adds one.
        private final AtomicInteger refs = new AtomicInteger(1);

        private Lease(BatchClassifier classifier) {
            this.classifier = classifier;
        }

        public BatchClassifier classifier() {
            return classifier;
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
            }
        }
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
        Lease old = current.getAndSet(new Lease(next));
        LOG.info("Model {} is now serving{}", next.version(), old == null ? "" : " (was " + old.classifier.version() + ")");
        onSwap.accept(next.version());
        if (old != null) {
            old.close();
        }
    }

    /** Makes {@code first} current only if no model is loaded yet; returns whether it did. */
    public boolean swapIfNone(BatchClassifier first) {
        if (!current.compareAndSet(null, new Lease(first))) {
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

    @Override
    public void close() {
        Lease old = current.getAndSet(null);
        if (old != null) {
            old.close();
        }
    }
}
