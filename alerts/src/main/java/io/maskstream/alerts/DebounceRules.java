package io.maskstream.alerts;

import io.maskstream.events.AlertKind;
import io.maskstream.events.MaskState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The alert rule, applied to one camera's {@link CameraState} one frame at a time; pure, no Kafka.
 * <ul>
 *   <li>A frame <em>matches</em> a kind when its mask label is NONE (NO_MASK) or, if enabled, INCORRECT
 *       (INCORRECT_MASK), with the label's probability at least {@code threshold}.</li>
 *   <li>A frame whose mask spread (its event's {@code uncertainty.maskSpread}: how far MC-dropout passes or
 *       ensemble members scatter around the mask label's probability) is above {@code maxSpread} matches nothing: the
 *       model is not sure enough for it to count ({@link #tooUncertain}). A frame without uncertainty (one forward
 *       pass) is judged by its probability alone.</li>
 *   <li>An alert of a kind fires when at least {@code k} of the camera's last {@code n} frames (of any label)
 *       match it and no episode of that kind is open. Firing opens the episode and consumes those frames.</li>
 *   <li>While an episode is open its matching frames only extend it. It closes (re-arms) at the first frame
 *       whose capture time is at least {@code quietPeriodMs} after the episode's last matching frame; counting
 *       then starts afresh. Capture time, not the wall clock, is the clock, so a replay of recorded
 *       classifications raises the same alerts as the live run did.</li>
 * </ul>
 */
record DebounceRules(double threshold, int k, int n, long quietPeriodMs, boolean incorrectEnabled, double maxSpread) {

    /** {@code maxSpread} that lets every frame count: a spread of probabilities in [0, 1] never exceeds 0.5. */
    static final double NO_SPREAD_LIMIT = 1.0;

    DebounceRules {
        if (!(threshold >= 0 && threshold <= 1) || k < 1 || k > n || quietPeriodMs < 0 || !(maxSpread >= 0)) {
            throw new IllegalArgumentException("invalid rules " + threshold + " " + k + "/" + n + " " + quietPeriodMs + " "
                    + maxSpread);
        }
    }

    /** Rules without a spread limit. */
    DebounceRules(double threshold, int k, int n, long quietPeriodMs, boolean incorrectEnabled) {
        this(threshold, k, n, quietPeriodMs, incorrectEnabled, NO_SPREAD_LIMIT);
    }

    /**
     * What the rule needs to know about one frame.
     *
     * @param spread the mask label's spread across passes; NaN when the frame came from one pass (no uncertainty)
     */
    record Observation(long sequence, long captureMillis, MaskState label, float probability, float spread) {

        /** A frame of one forward pass. */
        Observation(long sequence, long captureMillis, MaskState label, float probability) {
            this(sequence, captureMillis, label, probability, Float.NaN);
        }
    }

    /** An alert the frame raised: the episode's facts so far. */
    record Firing(AlertKind kind, long firstSequence, long firstCaptureMillis, long lastSequence,
                  long lastCaptureMillis, int matchingFrames, int windowFrames, float peakConfidence) {
    }

    /** An episode that closed because the camera was quiet long enough. */
    record Rearmed(AlertKind kind, CameraState.Episode episode) {
    }

    /** What one frame did: at most one alert, and the episodes it closed. */
    record Outcome(Firing firing, List<Rearmed> rearmed) {
    }

    /**
     * The kind {@code frame} counts towards, or null. Probabilities are floats on the wire, so the threshold is
     * compared as a float too: a frame at exactly 0.7 counts for a threshold of 0.7.
     */
    AlertKind matchOf(Observation frame) {
        if (!(frame.probability() >= (float) threshold) || tooUncertain(frame)) {
            return null;
        }
        return kindOf(frame);
    }

    /**
     * Whether the frame would have counted towards an alert but its spread is above {@code maxSpread} (as floats, like
     * the threshold: a spread of exactly the limit counts).
     */
    boolean tooUncertain(Observation frame) {
        return frame.spread() > (float) maxSpread && frame.probability() >= (float) threshold && kindOf(frame) != null;
    }

    /** The kind a frame of this label would count towards (ignoring its probability and spread), or null. */
    AlertKind kindOf(Observation frame) {
        return switch (frame.label()) {
            case NONE -> AlertKind.NO_MASK;
            case INCORRECT -> incorrectEnabled ? AlertKind.INCORRECT_MASK : null;
            default -> null;
        };
    }

    /** Applies one frame of the camera to {@code state} (changing it) and says what it raised. */
    Outcome observe(CameraState state, Observation frame) {
        List<Rearmed> rearmed = List.of();
        for (Iterator<Map.Entry<AlertKind, CameraState.Episode>> it = state.episodes().entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<AlertKind, CameraState.Episode> e = it.next();
            if (frame.captureMillis() - e.getValue().lastMatchCaptureMillis() >= quietPeriodMs) {
                if (rearmed.isEmpty()) {
                    rearmed = new ArrayList<>(2);
                }
                rearmed.add(new Rearmed(e.getKey(), e.getValue()));
                it.remove();
            }
        }

        long index = state.advance();
        long oldest = index - n + 1;
        while (!state.window().isEmpty() && state.window().peekFirst().index() < oldest) {
            state.window().pollFirst();
        }

        AlertKind kind = matchOf(frame);
        if (kind == null) {
            return new Outcome(null, rearmed);
        }
        CameraState.Episode open = state.episodes().get(kind);
        if (open != null) {
            state.episodes().put(kind, open.extendedBy(frame.sequence(), frame.captureMillis()));
            return new Outcome(null, rearmed);
        }
        state.window().addLast(new CameraState.Match(index, kind, frame.sequence(), frame.captureMillis(),
                frame.probability()));

        int count = 0;
        CameraState.Match first = null;
        float peak = 0f;
        for (CameraState.Match m : state.window()) {
            if (m.kind() == kind) {
                count++;
                if (first == null) {
                    first = m;
                }
                peak = Math.max(peak, m.probability());
            }
        }
        if (count < k) {
            return new Outcome(null, rearmed);
        }
        state.window().removeIf(m -> m.kind() == kind);
        state.episodes().put(kind, new CameraState.Episode(first.sequence(), frame.sequence(), frame.sequence(),
                frame.captureMillis(), count));
        return new Outcome(new Firing(kind, first.sequence(), first.captureMillis(), frame.sequence(),
                frame.captureMillis(), count, n, peak), rearmed);
    }
}
