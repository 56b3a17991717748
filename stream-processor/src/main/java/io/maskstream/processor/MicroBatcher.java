package io.maskstream.processor;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.model.Box;
import io.maskstream.model.FaceTracker;
import io.maskstream.model.FaceTracks;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream task's side of micro-batching: hands each accepted frame to the instance's {@link BatchScheduler}
 * (where it joins the frames of every other task in the same forward pass) and emits each frame's event from this
 * task's stream thread, in this task's transaction, in the order the frames came.
 *
 * <p>Exactly-once across crashes: Kafka Streams commits the input offset of a buffered frame before its
 * event exists, so every buffered frame is also recorded in a changelogged store (by reference: its offset and
 * timestamp, see {@link BufferedFrame}), and deleted from it in the same transaction that emits its event. (The
 * store's cache absorbs the put and delete of a frame classified before the next commit, so only frames that outlive
 * a commit cost a write, of a few bytes.) After a crash the store comes back with exactly the frames that were
 * consumed but not yet classified; {@link #init} reads them back from the frames topic and submits them before any
 * new frame. Events leave in submission order, so each camera's events leave in the order its frames came.
 *
 * <p>Every frame ends as one event or one dead letter, and the stream thread never waits unboundedly for the model:
 * a batch whose forward pass fails as a whole is retried frame by frame; when a pass takes longer than the
 * inference timeout, each task retries its own frames of that batch one by one on the rescue executor; what that
 * retry has not classified when the timeout passes again is dead-lettered ({@code INFERENCE_FAILED}). Emitting,
 * store writes and dead letters happen only on this task's stream thread, in {@code process} or a punctuation,
 * never in {@code init}: a buffered frame that cannot be restored is dead-lettered at the first punctuation.
 *
 * <p>Shadow and canary ({@link TrialServing}): a frame's events on the shadow topic leave with its event, in the same
 * call and so the same transaction, and after a crash a restored frame is inferred again by the serving set of then;
 * so a frame's events on both topics commit together or not at all. A frame whose outcome is ready waits (and the
 * frames behind it, to keep each camera's order) until its shadows answered or {@code processor.shadow.timeout.ms}
 * passed on this task's clock; then it leaves without the missing verdicts, which are counted as skipped.
 */
final class MicroBatcher implements Processor<String, AcceptedFrame, Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    private final BatchScheduler scheduler;
    private final FrameInference engine;
    private final Inference inference;
    private final FrameRestorer restorer;
    private final ProcessorMetrics metrics;
    private final long shadowTimeoutMs;
    /** This task's frames, submitted and not yet emitted, in arrival order. */
    private final ArrayDeque<BatchScheduler.Ticket> pending = new ArrayDeque<>();
    private final List<Unrestorable> unrestorable = new ArrayList<>();
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, BufferedFrame> store;
    private KeyValueStore<String, FaceTracks> tracks;
    private final FaceTracker tracker;

    /** A buffered frame found in the store after a restart that cannot be rebuilt, and why. */
    private record Unrestorable(long offset, BufferedFrame stored, DeadLetterReason reason, String message) {
    }

    /** Rebuilds an accepted frame from what the store kept, or says why it cannot. */
    interface FrameRestorer {
        /**
         * @throws RestoreException when the stored frame itself is bad (it is dead-lettered)
         * @throws RuntimeException when something outside the frame failed (the registry is unreachable): the
         *                          task fails and is restored again later; nothing is dead-lettered
         */
        AcceptedFrame restore(String topic, int partition, long offset, BufferedFrame stored) throws RestoreException;

        /**
         * Reads the records at these offsets back from the topic (key, value, record timestamp); offsets no longer on
         * the topic are missing from the answer.
         *
         * @throws RuntimeException when the topic cannot be read now: the task fails and is restored again later
         */
        Map<Long, BufferedFrame> readBack(String topic, int partition, SortedSet<Long> offsets);

        /** The topic frames are read from. */
        String topic();
    }

    static final class RestoreException extends Exception {
        private static final long serialVersionUID = 1L;
        final DeadLetterReason reason;

        RestoreException(DeadLetterReason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    /** @param tracker gives faces their track ids in detect mode; null in whole-frame mode */
    MicroBatcher(BatchScheduler scheduler, FrameRestorer restorer, ProcessorMetrics metrics, FaceTracker tracker) {
        this.scheduler = scheduler;
        this.engine = scheduler.engine();
        this.inference = scheduler.inference();
        this.tracker = tracker;
        this.restorer = restorer;
        this.metrics = metrics;
        this.shadowTimeoutMs = scheduler.shadowTimeoutMs();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(FrameTopology.BUFFER_STORE);
        this.tracks = tracker == null ? null : context.getStateStore(FrameTopology.TRACKS_STORE);
        restoreBuffered();
        long tick = Math.max(1, Math.min(scheduler.maxDelayMs() / 4, 25));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    /**
     * Reads the store, and the frames topic for frames the store keeps by reference: what cannot be rebuilt waits for
     * the first punctuation to be dead-lettered.
     */
    private void restoreBuffered() {
        long now = context.currentSystemTimeMs();
        int partition = context.taskId().partition();
        TreeMap<Long, BufferedFrame> stored = new TreeMap<>();
        try (KeyValueIterator<Long, BufferedFrame> it = store.all()) {
            it.forEachRemaining(kv -> stored.put(kv.key, kv.value));
        }
        if (stored.isEmpty()) {
            return;
        }
        TreeSet<Long> references = new TreeSet<>();
        stored.forEach((offset, f) -> {
            if (f.isReference()) {
                references.add(offset);
            }
        });
        Map<Long, BufferedFrame> readBack = references.isEmpty() ? Map.of()
                : restorer.readBack(restorer.topic(), partition, references);
        int restored = 0;
        for (var kv : stored.entrySet()) {
            BufferedFrame frame = kv.getValue();
            try {
                if (frame.isReference()) {
                    BufferedFrame record = readBack.get(kv.getKey());
                    if (record == null) {
                        throw new RestoreException(DeadLetterReason.UNKNOWN, "The frame at offset " + kv.getKey()
                                + " of " + restorer.topic() + "-" + partition + " was consumed but not classified before "
                                + "the last stop, and is no longer on the topic (deleted by retention?)");
                    }
                    frame = frame.resolved(record.key(), record.value());
                }
                pending.addLast(scheduler.submit(restorer.restore(restorer.topic(), partition, kv.getKey(), frame), now));
                restored++;
            } catch (RestoreException e) {
                LOG.warn("Buffered frame at offset {} cannot be restored ({}): {}; it goes to the dead-letter topic",
                        kv.getKey(), e.reason, e.getMessage());
                unrestorable.add(new Unrestorable(kv.getKey(), frame, e.reason, e.getMessage()));
            }
        }
        if (restored > 0) {
            LOG.info("Task {}: {} frames were buffered but not classified before the last stop ({} read back from {}); "
                    + "classifying them now", context.taskId(), restored, references.size(), restorer.topic());
        }
    }

    @Override
    public void process(Record<String, AcceptedFrame> record) {
        AcceptedFrame frame = record.value();
        store.put(frame.offset(), BufferedFrame.reference(frame.timestamp()));
        long now = context.currentSystemTimeMs();
        pending.addLast(scheduler.submit(frame, now));
        settle(now);
    }

    private void onTick(long now) {
        if (!unrestorable.isEmpty()) {
            deadLetterUnrestorable();
        }
        scheduler.flushDue(now);
        settle(now);
    }

    private void deadLetterUnrestorable() {
        for (Unrestorable u : unrestorable) {
            metrics.deadLetter(u.reason);
            long timestamp = Math.max(0, u.stored.timestamp());
            context.forward(new Record<>(u.stored.key(), DeadLetters.of(restorer.topic(), context.taskId().partition(),
                    u.offset, timestamp, u.stored.key(), u.stored.value(), u.reason, u.message, null, null), timestamp),
                    FrameTopology.DEAD_LETTER_SINK);
            store.delete(u.offset);
        }
        unrestorable.clear();
    }

    /**
     * Emits every finished frame at the head of this task's queue, in order, and moves a head past its deadline on:
     * its batch's timeout starts the frame-by-frame retry of this task's frames of that batch; the retry's timeout
     * dead-letters what it did not finish. A head still queued in the scheduler waits for its batch's deadline flush.
     */
    private void settle(long now) {
        while (!pending.isEmpty()) {
            BatchScheduler.Ticket head = pending.peekFirst();
            if (head.outcome.isDone()) {
                TrialServing.Verdicts trials = head.trials;
                if (trials != null && !trials.complete()) { // hold the event (and those behind it) for the shadows
                    if (trials.waitingSince < 0) {
                        trials.waitingSince = now;
                    }
                    if (now - trials.waitingSince < shadowTimeoutMs) {
                        return;
                    }
                }
                pending.pollFirst();
                Outcome o = head.outcome.join(); // a pass that failed outside any frame fails the task: frames stay stored
                long emitted = System.currentTimeMillis();
                if (o.classified()) {
                    emit(o, emitted);
                } else {
                    deadLetter(o.frame(), o.reason(), o.message());
                }
                if (trials != null) {
                    emitTrials(o.frame(), trials, emitted);
                }
                continue;
            }
            BatchScheduler.Batch batch = head.batch;
            if (batch == null) {
                return;
            }
            if (head.retry == null) {
                if (now < batch.deadline && !batch.timedOut()) {
                    return;
                }
                retryFrameByFrame(batch, now);
                return;
            }
            BatchScheduler.Retry retry = head.retry;
            if (now < retry.deadline) {
                return;
            }
            giveUp(retry);
        }
    }

    private void retryFrameByFrame(BatchScheduler.Batch batch, long now) {
        if (batch.markTimedOut()) {
            metrics.inferenceTimeout();
        }
        List<BatchScheduler.Ticket> mine = new ArrayList<>();
        for (BatchScheduler.Ticket t : pending) {
            if (t.batch == batch && !t.outcome.isDone()) {
                mine.add(t);
            }
        }
        LOG.warn("The forward pass of a batch of {} frames did not finish within {} ms; retrying this task's {} of them "
                + "frame by frame", batch.tickets.size(), inference.timeout().toMillis(), mine.size());
        BatchScheduler.Retry retry = new BatchScheduler.Retry(mine, now + inference.timeout().toMillis());
        mine.forEach(t -> t.retry = retry);
        CompletableFuture.runAsync(() -> {
            for (BatchScheduler.Ticket t : mine) {
                if (t.abandoned) {
                    return;
                }
                if (!t.outcome.isDone()) {
                    t.outcome.complete(engine.inferOne(t.frame));
                }
            }
        }, inference.rescue());
    }

    /** Dead-letters every frame of the retry it did not reach; what it finished stays. */
    private void giveUp(BatchScheduler.Retry retry) {
        metrics.inferenceTimeout();
        String version = engine.currentVersion();
        int failed = 0;
        for (BatchScheduler.Ticket t : retry.tickets) {
            if (t.outcome.complete(Outcome.failed(t.frame, version, DeadLetterReason.INFERENCE_FAILED,
                    "Inference did not finish: the forward pass of its batch took over " + inference.timeout().toMillis()
                            + " ms, and so did the frame-by-frame retry (processor.inference.timeout.ms)"))) {
                failed++;
            }
        }
        LOG.error("The frame-by-frame retry of {} frames did not finish within {} ms either: {} frame(s) dead-lettered as "
                + "INFERENCE_FAILED", retry.tickets.size(), inference.timeout().toMillis(), failed);
    }

    /** Emits the frame's event; in detect mode its faces get their track ids first, in the same transaction. */
    private void emit(Outcome o, long now) {
        AcceptedFrame f = o.frame();
        long[] trackIds = null;
        if (tracker != null) {
            String camera = f.frame().getCameraId();
            FaceTracks state = tracks.get(camera);
            if (state == null) {
                state = new FaceTracks();
            }
            List<Box> boxes = new ArrayList<>(o.faces().size());
            o.faces().forEach(face -> boxes.add(face.detection().box()));
            trackIds = tracker.assign(state, f.frame().getSequence(), boxes);
            tracks.put(camera, state);
        }
        Classification c = Classifications.of(f, o.faces(), trackIds, o.version(), o.detectorVersion(), o.batchSize(), now);
        metrics.event(c.getLatencyMs());
        metrics.versionEvent(o.version(), "serving");
        context.forward(new Record<>(f.frame().getCameraId(), c, f.timestamp()), FrameTopology.CLASSIFICATIONS_SINK);
        store.delete(f.offset());
    }

    /**
     * The frame's events on the shadow topic, in the same call (so the same transaction) as its event or dead letter:
     * the active model's verdict when the canary served it, and each shadow's verdict that is ready; a shadow that has
     * none is counted as skipped. Shadow events carry no track ids (the camera's tracks follow the served verdicts).
     */
    private void emitTrials(AcceptedFrame f, TrialServing.Verdicts trials, long now) {
        trials.emitted = true;
        if (trials.active != null) {
            forwardShadow(f, trials.active, now);
        }
        for (String version : trials.shadows) {
            TrialServing.Answer answer = trials.answers.get(version);
            if (answer == null) {
                metrics.shadowSkipped(version, TrialServing.TIMEOUT);
            } else if (answer.outcome() == null) {
                metrics.shadowSkipped(version, answer.skipped());
            } else {
                forwardShadow(f, answer.outcome(), now);
            }
        }
    }

    private void forwardShadow(AcceptedFrame f, Outcome o, long now) {
        Classification c = Classifications.of(f, o.faces(), null, o.version(), o.detectorVersion(), o.batchSize(), now);
        metrics.versionEvent(o.version(), "shadow");
        context.forward(new Record<>(f.frame().getCameraId(), c, f.timestamp()), FrameTopology.SHADOW_SINK);
    }

    private void deadLetter(AcceptedFrame f, DeadLetterReason reason, String message) {
        metrics.deadLetter(reason);
        LOG.warn("Dead-lettering frame {}/{}: {} - {}", f.frame().getCameraId(), f.frame().getSequence(), reason, message);
        var letter = DeadLetters.of(f.topic(), f.partition(), f.offset(), f.timestamp(), f.rawKey(), f.rawValue(), reason,
                message, f.frame().getCameraId(), f.frame().getSequence());
        context.forward(new Record<>(f.rawKey(), letter, f.timestamp()), FrameTopology.DEAD_LETTER_SINK);
        store.delete(f.offset());
    }

    @Override
    public void close() {
        // Frames still pending stay in the store; the next owner of this task classifies them.
        if (!pending.isEmpty()) {
            LOG.info("Task closing with {} frames not yet classified; they stay in the store for the next owner",
                    pending.size());
        }
        pending.forEach(t -> t.abandoned = true);
        pending.clear();
        unrestorable.clear();
    }
}
