package io.maskstream.processor;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Where micro-batches are inferred and how long a stream thread waits for one ({@code processor.inference.*}).
 *
 * @param batches     runs forward passes while the stream threads read on; null infers on the stream thread that
 *                    dispatches the batch, for every task's frames in it (then nothing bounds a pass)
 * @param rescue      runs the frame-by-frame retry of a batch whose pass did not finish in time; separate from
 *                    {@code batches}, whose thread may be the one that hangs
 * @param timeout     how long a batch may take before it is retried frame by frame, and that retry before what is
 *                    still missing is dead-lettered
 * @param maxInFlight batches the instance may have in inference at once before a stream thread waits for the oldest
 * @param shadows     runs the shadow models' passes over a batch once the active model's pass is done, so they never
 *                    hold up the next active pass; it rejects work when its queue is full (the batch's shadows are
 *                    then skipped). Null runs them right after the active pass, on the same thread.
 */
record Inference(Executor batches, Executor rescue, Duration timeout, int maxInFlight, Executor shadows) {

    Inference(Executor batches, Executor rescue, Duration timeout, int maxInFlight) {
        this(batches, rescue, timeout, maxInFlight, null);
    }

    /** Inference on the stream thread: no executor, no bound. */
    static Inference onStreamThread() {
        return new Inference(null, null, Duration.ZERO, 1, null);
    }

    boolean pipelined() {
        return batches != null;
    }
}
