package io.maskstream.processor;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.model.Classifier;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.InputSpec;
import io.maskstream.model.Prediction;
import io.maskstream.model.PreparedImage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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
 * before the next commit, so only frames that outlive a commit cost a write.) After a crash the store comes back with exactly the frames that
 * were consumed but not yet classified, and {@link #init} puts them at the head of the buffer. Frames are
 * kept in arrival order, so each camera's events leave in the order its frames came.
 */
final class MicroBatcher implements Processor<String, AcceptedFrame, Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    private final int maxBatchSize;
    private final Duration maxDelay;
    private final ModelHolder models;
    private final FrameRestorer restorer;
    private final boolean flipTta;
    private final ProcessorMetrics metrics;
    private final Executor inference;
    private final int maxInFlight;
    private final ArrayDeque<Pending> buffer = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<List<Outcome>>> inFlight = new ArrayDeque<>();
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, BufferedFrame> store;

    /** A buffered frame and when (the task's wall clock, ms) it joined the buffer. */
    private record Pending(AcceptedFrame frame, long arrivedMs) {
    }

    /** Rebuilds an accepted frame from what the store kept, or says why it cannot. */
    interface FrameRestorer {
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

    /** @param inference where batches are inferred; null to infer on the stream thread itself */
    MicroBatcher(int maxBatchSize, Duration maxDelay, ModelHolder models, FrameRestorer restorer, boolean flipTta,
                 ProcessorMetrics metrics, Executor inference, int maxInFlight) {
        this.maxBatchSize = maxBatchSize;
        this.maxDelay = maxDelay;
        this.models = models;
        this.restorer = restorer;
        this.flipTta = flipTta;
        this.metrics = metrics;
        this.inference = inference;
        this.maxInFlight = Math.max(1, maxInFlight);
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.store = context.getStateStore(FrameTopology.BUFFER_STORE);
        restoreBuffered();
        long tick = Math.max(1, Math.min(maxDelay.toMillis() / 4, 25));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    }

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
                    LOG.warn("Buffered frame at offset {} cannot be restored: {}", kv.key, e.getMessage());
                    store.delete(kv.key);
                    metrics.deadLetter(e.reason);
                    context.forward(new Record<>(kv.value.key(), DeadLetters.of(restorer.topic(),
                            context.taskId().partition(), kv.key, kv.value.timestamp(), kv.value.key(), kv.value.value(),
                            e.reason, e.getMessage(), null, null), kv.value.timestamp()), FrameTopology.DEAD_LETTER_SINK);
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
        buffer.addLast(new Pending(frame, context.currentSystemTimeMs()));
        emitCompleted();
        if (buffer.size() >= maxBatchSize) {
            flush();
        }
    }

    private void onTick(long now) {
        emitCompleted();
        Pending oldest = buffer.peekFirst();
        if (oldest != null && now - oldest.arrivedMs >= maxDelay.toMillis()) {
            flush();
        }
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
     * Infers a batch: on the stream thread when there is no inference executor; otherwise on the executor,
     * while this thread goes on reading and decoding the next frames. At most {@code maxInFlight} batches are
     * out at once (then this thread waits for the oldest), and results are emitted in dispatch order.
     */
    private void dispatch(List<Pending> batch) {
        if (inference == null) {
            emitAll(infer(batch));
            return;
        }
        while (inFlight.size() >= maxInFlight) {
            emitAll(inFlight.pollFirst().join());
        }
        inFlight.addLast(CompletableFuture.supplyAsync(() -> infer(batch), inference));
    }

    /** Emits the results of every finished batch at the head of the in-flight queue. */
    private void emitCompleted() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().isDone()) {
            emitAll(inFlight.pollFirst().join());
        }
    }

    /** What inference made of one frame: a prediction, or the reason it has none. */
    private record Outcome(AcceptedFrame frame, Prediction prediction, String version, int batchSize,
                           DeadLetterReason reason, String message) {
    }

    /**
     * The model's verdict on a batch. Runs on any thread and touches no Streams state: emitting is left to the
     * stream thread. A batch that fails as a whole is retried frame by frame so one bad frame cannot sink the rest.
     */
    private List<Outcome> infer(List<Pending> batch) {
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        try (ModelHolder.Lease lease = models.acquire()) {
            if (lease == null) {
                // Cannot happen once the service started (it loads a model first). Failing the task keeps the
                // frames in the store; the replacement thread classifies them.
                throw new IllegalStateException("No model loaded");
            }
            Classifier model = lease.classifier();
            List<PreparedImage> images = new ArrayList<>(batch.size());
            List<AcceptedFrame> ready = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                try {
                    images.add(fitTo(model, p.frame));
                    ready.add(p.frame);
                } catch (ImageRejectedException e) {
                    outcomes.add(new Outcome(p.frame, null, model.version(), 0, e.reason(), e.getMessage()));
                }
            }
            if (ready.isEmpty()) {
                return outcomes;
            }
            long start = System.nanoTime();
            try {
                List<Prediction> predictions = model.classify(images, flipTta);
                metrics.batch(ready.size(), System.nanoTime() - start);
                for (int i = 0; i < ready.size(); i++) {
                    outcomes.add(new Outcome(ready.get(i), predictions.get(i), model.version(), ready.size(), null, null));
                }
            } catch (RuntimeException e) {
                LOG.warn("Batch of {} failed in inference ({}); retrying frame by frame", ready.size(), e.toString());
                for (int i = 0; i < ready.size(); i++) {
                    try {
                        long one = System.nanoTime();
                        Prediction p = model.classify(List.of(images.get(i)), flipTta).get(0);
                        metrics.batch(1, System.nanoTime() - one);
                        outcomes.add(new Outcome(ready.get(i), p, model.version(), 1, null, null));
                    } catch (RuntimeException single) {
                        outcomes.add(new Outcome(ready.get(i), null, model.version(), 0, DeadLetterReason.INFERENCE_FAILED,
                                "Inference failed for this frame with model " + model.version() + ": " + single));
                    }
                }
            }
        }
        return outcomes;
    }

    private void emitAll(List<Outcome> outcomes) {
        long now = System.currentTimeMillis();
        for (Outcome o : outcomes) {
            if (o.prediction != null) {
                emit(o.frame, o.prediction, o.version, o.batchSize, now);
            } else {
                deadLetter(o.frame, o.reason, o.message);
            }
        }
    }

    /** The frame's image at the model's input size; re-prepared if a swap changed the input size. */
    private static PreparedImage fitTo(Classifier model, AcceptedFrame f) throws ImageRejectedException {
        PreparedImage img = f.image();
        InputSpec spec = model.metadata().input();
        if (img.width() == spec.width() && img.height() == spec.height()) {
            return img;
        }
        byte[] bytes = new byte[f.frame().getImage().remaining()];
        f.frame().getImage().duplicate().get(bytes);
        return model.preprocessor().prepare(bytes);
    }

    private void emit(AcceptedFrame f, Prediction p, String version, int batchSize, long now) {
        Classification c = Classifications.of(f.frame(), p, version, batchSize, now);
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
        buffer.clear();
        inFlight.clear();
    }
}
