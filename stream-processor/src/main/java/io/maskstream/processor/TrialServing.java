package io.maskstream.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a batch's trial models ({@link TrialModels}) once the active model's pass over it is done, on the thread of
 * that pass:
 * <ul>
 *   <li>the canary classifies the frames of its cameras; its verdict is their event on {@code classifications}, and the
 *   active model's verdict on them goes to the shadow topic (a frame the canary cannot classify keeps the active
 *   verdict as its event, counted in {@code maskstream_processor_canary_fallbacks_total});</li>
 *   <li>each shadow's pass over all the batch's frames is handed to the shadow executor; its verdicts land in the
 *   frames' {@link Verdicts} whenever they are ready.</li>
 * </ul>
 * It touches no Kafka Streams state: each task emits a frame's shadow events from its own stream thread, in the same
 * call (so the same transaction) as the frame's event ({@link MicroBatcher}), with whatever shadow verdicts are ready
 * by then; a shadow that is not ready within {@code processor.shadow.timeout.ms} of the frame's outcome is skipped
 * for that frame and counted. So the shadow topic gets at most one event per frame and shadow, exactly one when the
 * shadow keeps up, and a crash commits a frame's events on both topics or neither.
 */
final class TrialServing {

    private static final Logger LOG = LoggerFactory.getLogger(TrialServing.class);

    /** Skip reasons of {@code maskstream_processor_shadow_skipped_total}. */
    static final String TIMEOUT = "timeout";
    static final String FAILED = "failed";
    static final String BUSY = "busy";
    static final String RETIRED = "retired";

    private final TrialModels trials;
    private final FrameInference engine;
    private final Executor shadows;
    private final long shadowTimeoutMs;
    private final ProcessorMetrics metrics;

    /**
     * What goes to the shadow topic for one frame, filled before its outcome completes (the shadows' verdicts come in
     * later, from the shadow executor).
     */
    static final class Verdicts {
        /** The active model's verdict on a frame its canary served; null otherwise. */
        final Outcome active;
        /** The shadows that run on this frame's batch, in serving order. */
        final List<String> shadows;
        /** Each shadow's answer, as it comes in: an outcome, or why there is none. */
        final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();
        /** Set by the task once it emitted the frame: a shadow pass that has not started yet skips the work. */
        volatile boolean emitted;
        /** When (the task's clock) the task began waiting for the shadows; -1 until then. Task thread only. */
        long waitingSince = -1;

        Verdicts(Outcome active, List<String> shadows) {
            this.active = active;
            this.shadows = shadows;
        }

        /** Whether every shadow answered. */
        boolean complete() {
            return answers.size() >= shadows.size();
        }
    }

    /** A shadow's answer for a frame: its outcome, or (outcome null) why it has none. */
    record Answer(Outcome outcome, String skipped) {
    }

    TrialServing(TrialModels trials, FrameInference engine, Executor shadows, long shadowTimeoutMs,
                 ProcessorMetrics metrics) {
        this.trials = trials;
        this.engine = engine;
        this.shadows = shadows;
        this.shadowTimeoutMs = shadowTimeoutMs;
        this.metrics = metrics;
    }

    long shadowTimeoutMs() {
        return shadowTimeoutMs;
    }

    /**
     * The outcomes that serve the batch's frames (the canary's on its cameras, else the active model's), after
     * attaching to each ticket what it carries to the shadow topic and starting the shadow passes. Called before the
     * tickets complete, so a task that sees a ticket's outcome also sees its {@link Verdicts}.
     */
    List<Outcome> serve(List<BatchScheduler.Ticket> tickets, List<AcceptedFrame> frames, List<Outcome> active) {
        TrialModels.Snapshot set = trials.snapshot();
        if (set.isEmpty()) {
            return active;
        }
        List<Outcome> serving = new ArrayList<>(active);
        Outcome[] companions = new Outcome[frames.size()];
        TrialModels.Canary canary = set.canary();
        if (canary != null) {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                if (canary.serves(frames.get(i).frame().getCameraId())) {
                    mine.add(i);
                }
            }
            if (!mine.isEmpty()) {
                List<Outcome> verdicts = canaryPass(canary, mine.stream().map(frames::get).toList());
                for (int k = 0; k < mine.size(); k++) {
                    int i = mine.get(k);
                    Outcome c = verdicts == null ? null : verdicts.get(k);
                    if (c != null && c.classified()) {
                        serving.set(i, c);
                        if (active.get(i).classified()) {
                            companions[i] = active.get(i);
                        }
                    } else {
                        metrics.canaryFallback(canary.version());
                    }
                }
            }
        }
        List<String> versions = set.shadowVersions();
        List<Verdicts> attached = new ArrayList<>(tickets.size());
        for (int i = 0; i < tickets.size(); i++) {
            Verdicts v = companions[i] == null && versions.isEmpty() ? null : new Verdicts(companions[i], versions);
            tickets.get(i).trials = v;
            attached.add(v);
        }
        if (!versions.isEmpty()) {
            startShadows(set.shadows(), frames, attached);
        }
        return serving;
    }

    /** The canary's verdicts on its frames, or null when it failed as a whole (the active verdicts then serve). */
    private List<Outcome> canaryPass(TrialModels.Canary canary, List<AcceptedFrame> frames) {
        long start = System.nanoTime();
        try {
            List<Outcome> out = engine.inferTrial(canary.holder(), frames);
            metrics.trialPass(canary.version(), "canary", System.nanoTime() - start);
            return out;
        } catch (RuntimeException e) { // removed meanwhile, or a failure outside any frame
            LOG.warn("Canary {} could not classify a batch of {} frames ({}); the active model's verdicts serve them",
                    canary.version(), frames.size(), e.toString());
            return null;
        }
    }

    private void startShadows(List<TrialModels.Shadow> set, List<AcceptedFrame> frames, List<Verdicts> verdicts) {
        Runnable passes = () -> {
            for (TrialModels.Shadow shadow : set) {
                shadowPass(shadow, frames, verdicts);
            }
        };
        if (shadows == null) {
            passes.run();
            return;
        }
        try {
            shadows.execute(passes);
        } catch (RejectedExecutionException e) { // the queue is full (or the instance is closing): skip, do not wait
            for (TrialModels.Shadow shadow : set) {
                answerAll(shadow.version(), verdicts, new Answer(null, BUSY));
            }
        }
    }

    private void shadowPass(TrialModels.Shadow shadow, List<AcceptedFrame> frames, List<Verdicts> verdicts) {
        if (verdicts.stream().allMatch(v -> v.emitted)) {
            return; // every frame left without it (counted there as timed out): nothing would be emitted
        }
        if (shadow.holder().currentVersion() == null) {
            answerAll(shadow.version(), verdicts, new Answer(null, RETIRED));
            return;
        }
        long start = System.nanoTime();
        try {
            List<Outcome> out = engine.inferTrial(shadow.holder(), frames);
            metrics.trialPass(shadow.version(), "shadow", System.nanoTime() - start);
            for (int i = 0; i < out.size(); i++) {
                Outcome o = out.get(i);
                verdicts.get(i).answers.put(shadow.version(), o.classified() ? new Answer(o, null) : new Answer(null, FAILED));
            }
        } catch (RuntimeException e) {
            LOG.warn("Shadow {} failed on a batch of {} frames ({}); its verdicts on them are skipped", shadow.version(),
                    frames.size(), e.toString());
            answerAll(shadow.version(), verdicts, new Answer(null, FAILED));
        }
    }

    private static void answerAll(String version, List<Verdicts> verdicts, Answer answer) {
        verdicts.forEach(v -> v.answers.putIfAbsent(version, answer));
    }
}
