package io.maskstream.processor;

import io.maskstream.model.BatchClassifier;
import io.maskstream.model.BundleMetadata;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.McDropout;
import io.maskstream.model.Prediction;
import io.maskstream.model.PreparedImage;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * A real model with a fault injected in front of it: a forward pass fails or hangs when the test says so, otherwise
 * the real model answers. Closing it leaves the real model open (tests share one).
 */
final class FaultyModel implements BatchClassifier {

    private final BatchClassifier real;
    private final IntPredicate failsOnBatchOf;
    private final IntPredicate hangsOnBatchOf;
    private final IntPredicate failsOnSingleCall;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger singleCalls = new AtomicInteger();
    final AtomicInteger hung = new AtomicInteger();

    private FaultyModel(BatchClassifier real, IntPredicate failsOnBatchOf, IntPredicate hangsOnBatchOf,
                        IntPredicate failsOnSingleCall) {
        this.real = real;
        this.failsOnBatchOf = failsOnBatchOf;
        this.hangsOnBatchOf = hangsOnBatchOf;
        this.failsOnSingleCall = failsOnSingleCall;
    }

    /** The real model, untouched (but not closed with this one). */
    static FaultyModel healthy(BatchClassifier real) {
        return new FaultyModel(real, n -> false, n -> false, i -> false);
    }

    /** Every pass over more than one frame throws; so does the {@code nth} single-frame pass (1-based). */
    static FaultyModel failingBatchesAndSingleCall(BatchClassifier real, int nth) {
        return new FaultyModel(real, n -> n > 1, n -> false, i -> i == nth);
    }

    /** Every pass throws, whatever its size. */
    static FaultyModel failingEveryPass(BatchClassifier real) {
        return new FaultyModel(real, n -> true, n -> false, i -> true);
    }

    /** A pass over a batch of {@code size} frames or more never returns (until {@link #close()}). */
    static FaultyModel hangingOnBatchesOf(BatchClassifier real, int size) {
        return new FaultyModel(real, n -> false, n -> n >= size, i -> false);
    }

    @Override
    public List<Prediction> classify(List<PreparedImage> images, boolean flipTta) {
        return classify(images, flipTta, McDropout.OFF);
    }

    @Override
    public List<Prediction> classify(List<PreparedImage> images, boolean flipTta, McDropout mc) {
        int n = images.size();
        if (hangsOnBatchOf.test(n)) {
            hung.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("injected: a forward pass that hung");
        }
        if (failsOnBatchOf.test(n)) {
            throw new IllegalStateException("injected: the batch of " + n + " failed");
        }
        if (n == 1 && failsOnSingleCall.test(singleCalls.incrementAndGet())) {
            throw new IllegalStateException("injected: this frame failed");
        }
        return real.classify(images, flipTta, mc);
    }

    @Override
    public String version() {
        return real.version();
    }

    @Override
    public BundleMetadata metadata() {
        return real.metadata();
    }

    @Override
    public ImagePreprocessor preprocessor() {
        return real.preprocessor();
    }

    /** Lets hung passes return (they fail), and leaves the real model open. */
    @Override
    public void close() {
        release.countDown();
    }
}
