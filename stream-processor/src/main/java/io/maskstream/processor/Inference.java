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
 */
record Inference(Executor batches, Executor rescue, Duration timeout, int maxInFlight) {

    /** Inference on the stream thread: no executor, no bound. */
    static Inference onStreamThread() {
        return new Inference(null, null, Duration.ZERO, 1);
    }

    boolean pipelined() {
        return batches != null;
    }
}
