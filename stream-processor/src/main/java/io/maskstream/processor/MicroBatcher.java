package io.maskstream.processor;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Box;
import io.maskstream.model.FaceTracker;
import io.maskstream.model.FaceTracks;
import io.maskstream.model.DecodedImage;
import io.maskstream.model.Detection;
import io.maskstream.model.ScenePipeline;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.InputSpec;
import io.maskstream.model.Prediction;
import io.maskstream.model.PreparedImage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects accepted frames into micro-batches and infers each batch in one forward pass, flushing when the
 * batch holds {@code maxBatchSize} frames or its oldest frame has waited {@code maxDelay} (wall clock),
 * whichever comes first.
 *
 * <p>Exactly-once across crashes: Kafka Streams commits the input offset of a buffered frame before its
 * event exists, so every buffered frame is also written to a changelogged store, and deleted from it in the
 * same transaction that emits its event. (The store's cache absorbs the put and delete of a frame classified
 * before the next commit, so only frames that outlive a commit cost a write.) After a crash the store comes back
 * with exactly the frames that were consumed but not yet classified, and {@link #init} puts them at the head of the
 * buffer. Frames are kept in arrival order, so each camera's events leave in the order its frames came.
 *
 * <p>Every frame ends as one event or one dead letter, and the stream thread never waits unboundedly for the model:
 * a batch whose forward pass fails as a whole is retried frame by frame; one whose pass takes longer than the
 * inference timeout is retried frame by frame on the rescue executor; what that retry has not classified when the
 * timeout passes again is dead-lettered ({@code INFERENCE_FAILED}). Emitting, store writes and dead letters happen
 * only on the stream thread, in {@code process} or a punctuation, never in {@code init}: a buffered frame that
 * cannot be restored is dead-lettered at the first punctuation.
 */
final class MicroBatcher implements Processor<String, AcceptedFrame, Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    private final int maxBatchSize;
    private final Duration maxDelay;
    private final ModelHolder models;
    private final FrameRestorer restorer;
    private final boolean flipTta;
    private final ProcessorMetrics metrics;
    private final Inference inference;
    private final ArrayDeque<Pending> buffer = new ArrayDeque<>();
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    private final List<Unrestorable> unrestorable = new ArrayList<>();
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, BufferedFrame> store;
    private KeyValueStore<String, FaceTracks> tracks;
    private final FaceTracker tracker;

    /** A buffered frame and when (the task's wall clock, ms) it joined the buffer. */
    private record Pending(AcceptedFrame frame, long arrivedMs) {
    }

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

    /**
     * What inference made of one frame: its faces (in whole-frame mode the one face the frame is), or — when
     * {@code faces} is null — the reason it has none.
     */
    private record Outcome(AcceptedFrame frame, List<ScenePipeline.Face> faces, String version, String detectorVersion,
                           int batchSize, DeadLetterReason reason, String message) {

        static Outcome failed(AcceptedFrame frame, String version, DeadLetterReason reason, String message) {
            return new Outcome(frame, null, version, null, 0, reason, message);
        }
    }

    /**
     * A batch out for inference: its frames, the pass that will classify them, and until when (task wall clock) the
     * stream thread waits for that pass. After a first timeout the pass is the frame-by-frame retry, which records
     * each frame's outcome as it goes, so a second timeout keeps what it finished.
     */
    private static final class Batch {
        final List<Pending> frames;
        final AtomicReferenceArray<Outcome> retried;
        final AtomicBoolean abandoned = new AtomicBoolean();
        CompletableFuture<List<Outcome>> result;
        long deadline;
        boolean retrying;

        Batch(List<Pending> frames) {
            this.frames = frames;
            this.retried = new AtomicReferenceArray<>(frames.size());
        }
    }

    /** @param tracker gives faces their track ids in detect mode; null in whole-frame mode */
    MicroBatcher(int maxBatchSize, Duration maxDelay, ModelHolder models, FrameRestorer restorer, boolean flipTta,
                 ProcessorMetrics metrics, Inference inference, FaceTracker tracker) {
        this.tracker = tracker;
        this.maxBatchSize = maxBatchSize;
        this.maxDelay = maxDelay;
        this.models = models;
        this.restorer = restorer;
        this.flipTta = flipTta;
        this.metrics = metrics;
        this.inference = inference;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(FrameTopology.BUFFER_STORE);
        this.tracks = tracker == null ? null : context.getStateStore(FrameTopology.TRACKS_STORE);
        restoreBuffered();
        long tick = Math.max(1, Math.min(maxDelay.toMillis() / 4, 25));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

    /** Reads the store only: what cannot be rebuilt waits for the first punctuation to be dead-lettered. */
    private void restoreBuffered() {
        long now = context.currentSystemTimeMs();
        int restored = 0;
        try (KeyValueIterator<Long, BufferedFrame> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                try {
                    buffer.addLast(new Pending(restorer.restore(restorer.topic(), context.taskId().partition(), kv.key,
                            kv.value), now));
                    restored++;
                } catch (RestoreException e) {
                    LOG.warn("Buffered frame at offset {} cannot be restored ({}): {}; it goes to the dead-letter topic",
                            kv.key, e.reason, e.getMessage());
                    unrestorable.add(new Unrestorable(kv.key, kv.value, e.reason, e.getMessage()));
                }
            }
        }
        if (restored > 0) {
            LOG.info("Task {}: {} frames were buffered but not classified before the last stop; classifying them now",
                    context.taskId(), restored);
        }
    }

    @Override
    public void process(Record<String, AcceptedFrame> record) {
        AcceptedFrame frame = record.value();
        store.put(frame.offset(), new BufferedFrame(frame.rawKey(), frame.rawValue(), frame.timestamp()));
        long now = context.currentSystemTimeMs();
        buffer.addLast(new Pending(frame, now));
        settle(now, false);
        if (buffer.size() >= maxBatchSize) {
            flush();
        }
    }

    private void onTick(long now) {
        if (!unrestorable.isEmpty()) {
            deadLetterUnrestorable();
        }
        settle(now, false);
        Pending oldest = buffer.peekFirst();
        if (oldest != null && now - oldest.arrivedMs >= maxDelay.toMillis()) {
            flush();
        }
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

    /** Sends everything buffered to inference, batch by batch. */
    private void flush() {
        while (!buffer.isEmpty()) {
            List<Pending> batch = new ArrayList<>(Math.min(maxBatchSize, buffer.size()));
            while (batch.size() < maxBatchSize && !buffer.isEmpty()) {
                batch.add(buffer.pollFirst());
            }
            dispatch(batch);
        }
    }

    /**
     * Infers a batch: on the stream thread when there is no inference executor; otherwise on the executor, while
     * this thread goes on reading and decoding the next frames. At most {@code maxInFlight} batches are out at once
     * (then this thread waits for the oldest, never past its deadline), and results are emitted in dispatch order.
     */
    private void dispatch(List<Pending> frames) {
        if (!inference.pipelined()) {
            emitAll(infer(frames));
            return;
        }
        while (inFlight.size() >= inference.maxInFlight()) {
            Batch oldest = inFlight.peekFirst();
            long now = context.currentSystemTimeMs();
            settle(now, !await(oldest, oldest.deadline - now));
        }
        Batch batch = new Batch(frames);
        batch.result = CompletableFuture.supplyAsync(() -> infer(frames), inference.batches());
        batch.deadline = context.currentSystemTimeMs() + inference.timeout().toMillis();
        inFlight.addLast(batch);
    }

    /** Waits up to {@code millis} (real time) for the batch's pass; false when it is still running. */
    private static boolean await(Batch batch, long millis) {
        try {
            batch.result.get(Math.max(0, millis), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // settle() rethrows it on this thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for inference", e);
        }
    }

    /**
     * Emits every finished batch at the head of the in-flight queue, and moves a head past its deadline on: a first
     * timeout starts the frame-by-frame retry, a second dead-letters what the retry did not finish.
     *
     * @param headTimedOut the caller just waited for the head until its deadline (the task clock lags real time
     *                     inside one call, so the deadline alone would not show it)
     */
    private void settle(long now, boolean headTimedOut) {
        while (!inFlight.isEmpty()) {
            Batch head = inFlight.peekFirst();
            if (head.result.isDone()) {
                inFlight.pollFirst();
                emitAll(head.result.join());
                continue;
            }
            if (!headTimedOut && now < head.deadline) {
                return;
            }
            headTimedOut = false;
            if (!head.retrying) {
                retryFrameByFrame(head, now);
                return;
            }
            inFlight.pollFirst();
            emitAll(giveUp(head));
        }
    }

    private void retryFrameByFrame(Batch batch, long now) {
        metrics.inferenceTimeout();
        LOG.warn("The forward pass of a batch of {} frames did not finish within {} ms; retrying it frame by frame",
                batch.frames.size(), inference.timeout().toMillis());
        batch.retrying = true;
        batch.deadline = now + inference.timeout().toMillis();
        batch.result = CompletableFuture.supplyAsync(() -> inferOneByOne(batch), inference.rescue());
    }

    /** The retry's outcomes so far; every frame it did not reach is dead-lettered. */
    private List<Outcome> giveUp(Batch batch) {
        batch.abandoned.set(true);
        metrics.inferenceTimeout();
        String version = models.currentVersion();
        List<Outcome> outcomes = new ArrayList<>(batch.frames.size());
        int failed = 0;
        for (int i = 0; i < batch.frames.size(); i++) {
            Outcome o = batch.retried.get(i);
            if (o == null) {
                failed++;
                o = Outcome.failed(batch.frames.get(i).frame, version, DeadLetterReason.INFERENCE_FAILED,
                        "Inference did not finish: the forward pass of its batch of " + batch.frames.size()
                                + " took over " + inference.timeout().toMillis() + " ms, and so did the frame-by-frame retry"
                                + " (processor.inference.timeout.ms)");
            }
            outcomes.add(o);
        }
        LOG.error("The frame-by-frame retry of a batch of {} frames did not finish within {} ms either: {} frame(s) "
                + "dead-lettered as INFERENCE_FAILED", batch.frames.size(), inference.timeout().toMillis(), failed);
        return outcomes;
    }

    /**
     * The model's verdict on a batch. Runs on any thread and touches no Streams state: emitting is left to the
     * stream thread. A batch that fails as a whole is retried frame by frame so one bad frame cannot sink the rest.
     */
    private List<Outcome> infer(List<Pending> batch) {
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        try (ModelHolder.Lease lease = lease()) {
            BatchClassifier model = lease.classifier();
            List<AcceptedFrame> ready = new ArrayList<>(batch.size());
            List<PreparedImage> images = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                try {
                    if (tracker == null) {
                        images.add(fitTo(model, p.frame));
                    }
                    ready.add(p.frame);
                } catch (ImageRejectedException e) {
                    outcomes.add(Outcome.failed(p.frame, model.version(), EventLabels.reason(e.reason()), e.getMessage()));
                }
            }
            if (ready.isEmpty()) {
                return outcomes;
            }
            long start = System.nanoTime();
            try {
                List<List<ScenePipeline.Face>> faces = tracker == null ? wholeFrames(model, ready, images)
                        : detectAndClassify(lease, ready);
                metrics.batch(ready.size(), System.nanoTime() - start);
                for (int i = 0; i < ready.size(); i++) {
                    outcomes.add(new Outcome(ready.get(i), faces.get(i), model.version(), detectorVersion(lease),
                            ready.size(), null, null));
                }
            } catch (RuntimeException e) {
                metrics.batchFailed();
                LOG.warn("Batch of {} failed in inference ({}); retrying frame by frame", ready.size(), e.toString());
                for (int i = 0; i < ready.size(); i++) {
                    outcomes.add(inferOne(lease, ready.get(i), tracker == null ? images.get(i) : null));
                }
            }
        }
        return outcomes;
    }

    /** Whole-frame mode: one forward pass; each frame is one face, the region its preprocessing kept. */
    private List<List<ScenePipeline.Face>> wholeFrames(BatchClassifier model, List<AcceptedFrame> frames,
                                                       List<PreparedImage> images) {
        List<Prediction> predictions = model.classify(images, flipTta);
        List<List<ScenePipeline.Face>> out = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            PreparedImage img = images.get(i);
            Box region = model.preprocessor().wholeFrameRegion(img.sourceWidth(), img.sourceHeight());
            out.add(List.of(new ScenePipeline.Face(new Detection(region, 1f), predictions.get(i))));
        }
        return out;
    }

    /** Detect mode: one detector pass over the frames, one classifier pass over all their crops. */
    private List<List<ScenePipeline.Face>> detectAndClassify(ModelHolder.Lease lease, List<AcceptedFrame> frames) {
        if (lease.detector() == null) {
            throw new IllegalStateException("model " + lease.classifier().version() + " has no face detector and "
                    + ProcessorConfig.DETECTOR_FILE + " is empty");
        }
        List<DecodedImage> decoded = new ArrayList<>(frames.size());
        for (AcceptedFrame f : frames) {
            decoded.add(f.decoded());
        }
        ScenePipeline.Timing[] timing = new ScenePipeline.Timing[1];
        List<List<ScenePipeline.Face>> faces = new ScenePipeline(lease.detector(), lease.classifier(), lease.cropMargin())
                .run(decoded, flipTta, timing);
        metrics.scene(frames.size(), timing[0].crops(), timing[0].detectNanos(), timing[0].classifyNanos());
        return faces;
    }

    private static String detectorVersion(ModelHolder.Lease lease) {
        return lease.detector() == null ? null : lease.detector().version();
    }

    /** The frame-by-frame retry of a batch whose pass timed out: records each outcome as soon as it has it. */
    private List<Outcome> inferOneByOne(Batch batch) {
        List<Outcome> outcomes = new ArrayList<>(batch.frames.size());
        try (ModelHolder.Lease lease = lease()) {
            BatchClassifier model = lease.classifier();
            for (int i = 0; i < batch.frames.size() && !batch.abandoned.get(); i++) {
                AcceptedFrame f = batch.frames.get(i).frame;
                Outcome o;
                try {
                    o = inferOne(lease, f, tracker == null ? fitTo(model, f) : null);
                } catch (ImageRejectedException e) {
                    o = Outcome.failed(f, model.version(), EventLabels.reason(e.reason()), e.getMessage());
                }
                batch.retried.set(i, o);
                outcomes.add(o);
            }
        }
        return outcomes;
    }

    /** One frame on its own; a failure dead-letters only this frame. */
    private Outcome inferOne(ModelHolder.Lease lease, AcceptedFrame frame, PreparedImage image) {
        BatchClassifier model = lease.classifier();
        try {
            long one = System.nanoTime();
            List<ScenePipeline.Face> faces = tracker == null ? wholeFrames(model, List.of(frame), List.of(image)).get(0)
                    : detectAndClassify(lease, List.of(frame)).get(0);
            metrics.batch(1, System.nanoTime() - one);
            return new Outcome(frame, faces, model.version(), detectorVersion(lease), 1, null, null);
        } catch (RuntimeException single) {
            return Outcome.failed(frame, model.version(), DeadLetterReason.INFERENCE_FAILED,
                    "Inference failed for this frame with model " + model.version() + ": " + single);
        }
    }

    private ModelHolder.Lease lease() {
        ModelHolder.Lease lease = models.acquire();
        if (lease == null) {
            // Cannot happen once the service started (it loads a model first). Failing the task keeps the frames in
            // the store; the next owner classifies them.
            throw new IllegalStateException("No model loaded");
        }
        return lease;
    }

    private void emitAll(List<Outcome> outcomes) {
        long now = System.currentTimeMillis();
        for (Outcome o : outcomes) {
            if (o.faces != null) {
                emit(o, now);
            } else {
                deadLetter(o.frame, o.reason, o.message);
            }
        }
    }

    /** The frame's image at the model's input size; re-prepared if a swap changed the input size. */
    private static PreparedImage fitTo(BatchClassifier model, AcceptedFrame f) throws ImageRejectedException {
        PreparedImage img = f.image();
        InputSpec spec = model.metadata().input();
        if (img.width() == spec.width() && img.height() == spec.height()) {
            return img;
        }
        byte[] bytes = new byte[f.frame().getImage().remaining()];
        f.frame().getImage().duplicate().get(bytes);
        return model.preprocessor().prepare(bytes);
    }

    /** Emits the frame's event; in detect mode its faces get their track ids first, in the same transaction. */
    private void emit(Outcome o, long now) {
        AcceptedFrame f = o.frame;
        long[] trackIds = null;
        if (tracker != null) {
            String camera = f.frame().getCameraId();
            FaceTracks state = tracks.get(camera);
            if (state == null) {
                state = new FaceTracks();
            }
            List<Box> boxes = new ArrayList<>(o.faces.size());
            o.faces.forEach(face -> boxes.add(face.detection().box()));
            trackIds = tracker.assign(state, f.frame().getSequence(), boxes);
            tracks.put(camera, state);
        }
        Classification c = Classifications.of(f, o.faces, trackIds, o.version, o.detectorVersion, o.batchSize, now);
        metrics.event(c.getLatencyMs());
        context.forward(new Record<>(f.frame().getCameraId(), c, f.timestamp()), FrameTopology.CLASSIFICATIONS_SINK);
        store.delete(f.offset());
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
        // Frames still buffered or in flight stay in the store; the next owner of this task classifies them.
        if (!buffer.isEmpty() || !inFlight.isEmpty()) {
            LOG.info("Task closing with {} buffered frames and {} batches in flight; they stay in the store for the next owner",
                    buffer.size(), inFlight.size());
        }
        inFlight.forEach(b -> b.abandoned.set(true));
        buffer.clear();
        inFlight.clear();
        unrestorable.clear();
    }
}
