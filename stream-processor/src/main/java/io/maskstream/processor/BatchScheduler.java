package io.maskstream.processor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one micro-batch scheduler of a processor instance: frames from all its stream tasks and stream threads join the
 * same batch, which is inferred in one forward pass when it holds {@code maxBatchSize} frames or its oldest frame has
 * waited {@code maxDelay}, whichever comes first. With 12 partitions on one instance a pass sees every frame that
 * arrived within the delay, not one partition's share of them.
 *
 * <p>The scheduler only forms and runs batches; it owns no Streams state. A task {@link #submit submits} each frame
 * and gets a {@link Ticket}; the ticket completes with the frame's {@link Outcome} once a pass (or the frame-by-frame
 * retry) classified it, and the task emits it from its own stream thread, in its own transaction, in the order it
 * submitted its frames ({@link MicroBatcher}). Batches are formed on the stream threads (on size as a frame is
 * submitted, on the deadline at a task's punctuation, by that task's clock), never by a timer of the scheduler's own,
 * so a {@code TopologyTestDriver} drives them deterministically.
 *
 * <p>At most {@code maxInFlight} batches are in inference at once across the instance; a stream thread that would
 * dispatch one more waits for the oldest, never past that batch's deadline (then the batch counts as timed out, and
 * its tasks retry their frames one by one). Without an inference executor the dispatching stream thread runs the
 * pass itself, for every task's frames in it.
 */
final class BatchScheduler {

    private final int maxBatchSize;
    private final long maxDelayMs;
    private final Inference inference;
    private final FrameInference engine;
    private final TrialServing trials;
    private final ProcessorMetrics metrics;
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();

    /**
     * One frame's place in the scheduler. Completed once, by whichever finishes first: its batch's pass, the task's
     * frame-by-frame retry, or the task giving up on it.
     */
    static final class Ticket {
        final AcceptedFrame frame;
        final long submittedMs;
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        /** Set when the ticket's batch is dispatched; null while it waits in the queue. */
        volatile Batch batch;
        /** Set when its task closed: a pass that has not started skips it; what it computes is dropped. */
        volatile boolean abandoned;
        /** The owning task's frame-by-frame retry this ticket is in (touched by that task's thread only). */
        Retry retry;
        /**
         * What this frame carries to the shadow topic, set by its batch's pass before the outcome completes; null when
         * nothing does (no trial model, or the frame-by-frame retry classified it: that serves the active model only).
         */
        volatile TrialServing.Verdicts trials;

        Ticket(AcceptedFrame frame, long submittedMs) {
            this.frame = frame;
            this.submittedMs = submittedMs;
        }
    }

    /** A task's frame-by-frame retry of its frames of one timed-out batch, and until when (its clock) it may run. */
    static final class Retry {
        final List<Ticket> tickets;
        final long deadline;

        Retry(List<Ticket> tickets, long deadline) {
            this.tickets = tickets;
            this.deadline = deadline;
        }
    }

    /** A dispatched batch: its tickets, until when (the dispatching task's clock) it may run, and when it ended. */
    static final class Batch {
        final List<Ticket> tickets;
        final long deadline;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final AtomicBoolean timedOut = new AtomicBoolean();

        Batch(List<Ticket> tickets, long deadline) {
            this.tickets = tickets;
            this.deadline = deadline;
        }

        boolean timedOut() {
            return timedOut.get();
        }

        /** True for the first caller only, so a pass shared by several tasks counts as one timeout. */
        boolean markTimedOut() {
            return timedOut.compareAndSet(false, true);
        }
    }

    BatchScheduler(int maxBatchSize, Duration maxDelay, Inference inference, FrameInference engine,
                   ProcessorMetrics metrics) {
        this(maxBatchSize, maxDelay, inference, engine, null, metrics);
    }

    /** @param trials serves the canary and shadows beside the active model on each batch; null: none */
    BatchScheduler(int maxBatchSize, Duration maxDelay, Inference inference, FrameInference engine, TrialServing trials,
                   ProcessorMetrics metrics) {
        this.maxBatchSize = maxBatchSize;
        this.maxDelayMs = maxDelay.toMillis();
        this.inference = inference;
        this.engine = engine;
        this.trials = trials;
        this.metrics = metrics;
    }

    /** How long a task holds a frame's event for its shadows' verdicts (0 without trial models). */
    long shadowTimeoutMs() {
        return trials == null ? 0 : trials.shadowTimeoutMs();
    }

    FrameInference engine() {
        return engine;
    }

    Inference inference() {
        return inference;
    }

    long maxDelayMs() {
        return maxDelayMs;
    }

    /** Queues a frame; when that fills a batch, dispatches it on this thread's clock ({@code nowMs}). */
    Ticket submit(AcceptedFrame frame, long nowMs) {
        Ticket ticket = new Ticket(frame, nowMs);
        List<Ticket> full = null;
        synchronized (this) {
            queue.addLast(ticket);
            if (queue.size() >= maxBatchSize) {
                full = take();
            }
        }
        if (full != null) {
            dispatch(full, nowMs);
        }
        return ticket;
    }

    /** Dispatches every batch whose oldest frame has waited the max delay by {@code nowMs}. */
    void flushDue(long nowMs) {
        while (true) {
            List<Ticket> due;
            synchronized (this) {
                while (!queue.isEmpty() && queue.peekFirst().abandoned) {
                    queue.pollFirst();
                }
                Ticket oldest = queue.peekFirst();
                if (oldest == null || nowMs - oldest.submittedMs < maxDelayMs) {
                    return;
                }
                due = take();
            }
            dispatch(due, nowMs);
        }
    }

    /** Frames queued and not yet dispatched (for tests and logs). */
    synchronized int queued() {
        return queue.size();
    }

    private List<Ticket> take() {
        List<Ticket> batch = new ArrayList<>(Math.min(maxBatchSize, queue.size()));
        while (batch.size() < maxBatchSize && !queue.isEmpty()) {
            Ticket t = queue.pollFirst();
            if (!t.abandoned) {
                batch.add(t);
            }
        }
        return batch;
    }

    private void dispatch(List<Ticket> tickets, long nowMs) {
        if (tickets.isEmpty()) {
            return;
        }
        if (!inference.pipelined()) {
            Batch batch = new Batch(tickets, Long.MAX_VALUE);
            tickets.forEach(t -> t.batch = batch);
            run(batch);
            return;
        }
        long waited = awaitCapacity(nowMs);
        Batch batch = new Batch(tickets, nowMs + waited + inference.timeout().toMillis());
        tickets.forEach(t -> t.batch = batch);
        synchronized (this) {
            inFlight.addLast(batch);
        }
        try {
            CompletableFuture.runAsync(() -> run(batch), inference.batches());
        } catch (RejectedExecutionException e) { // the instance is closing: the frames stay in the tasks' stores
            IllegalStateException closing = new IllegalStateException("inference executor is shut down", e);
            tickets.forEach(t -> t.outcome.completeExceptionally(closing));
            batch.done.complete(null);
        }
    }

    /**
     * Waits until fewer than {@code maxInFlight} batches are in inference; a batch waited for until its deadline
     * counts as timed out and no longer holds a place. Returns the milliseconds waited (real time: the caller's
     * clock does not move within one call).
     */
    private long awaitCapacity(long nowMs) {
        long start = System.nanoTime();
        while (true) {
            Batch oldest;
            synchronized (this) {
                inFlight.removeIf(b -> b.done.isDone() || b.timedOut());
                if (inFlight.size() < inference.maxInFlight()) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
                oldest = inFlight.peekFirst();
            }
            long now = nowMs + (System.nanoTime() - start) / 1_000_000;
            if (!await(oldest.done, oldest.deadline - now) && oldest.markTimedOut()) {
                metrics.inferenceTimeout();
            }
        }
    }

    private static boolean await(CompletableFuture<Void> done, long millis) {
        try {
            done.get(Math.max(0, millis), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for inference", e);
        }
    }

    /**
     * The batch's pass: frames of every task in one call; each ticket gets its frame's outcome (from the canary on its
     * cameras), after the trial models' work on the batch is attached to it.
     */
    private void run(Batch batch) {
        List<Ticket> live = new ArrayList<>(batch.tickets.size());
        for (Ticket t : batch.tickets) {
            if (!t.abandoned && !t.outcome.isDone()) {
                live.add(t);
            }
        }
        try {
            if (live.isEmpty()) {
                return;
            }
            List<AcceptedFrame> frames = new ArrayList<>(live.size());
            live.forEach(t -> frames.add(t.frame));
            metrics.batchPartitions((int) frames.stream().mapToInt(AcceptedFrame::partition).distinct().count());
            List<Outcome> outcomes = engine.infer(frames);
            if (trials != null) {
                outcomes = trials.serve(live, frames, outcomes);
            }
            for (int i = 0; i < live.size(); i++) {
                live.get(i).outcome.complete(outcomes.get(i));
            }
        } catch (RuntimeException e) {
            live.forEach(t -> t.outcome.completeExceptionally(e));
        } finally {
            batch.done.complete(null);
        }
    }
}
