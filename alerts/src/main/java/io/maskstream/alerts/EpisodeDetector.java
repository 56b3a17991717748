package io.maskstream.alerts;

import io.maskstream.events.Alert;
import io.maskstream.events.Classification;
import io.maskstream.events.Face;
import io.maskstream.events.MaskState;
import io.maskstream.events.Uncertainty;
import java.util.Map;
import java.util.TreeMap;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link DebounceRules} to each camera's frames, or — when the camera's faces carry track ids (face
 * detection on) — to each person's: one unmasked person in front of a camera for a hundred frames is one alert, two
 * unmasked people are two, each naming its track and box. All per-camera memory is in the episode store
 * (persistent, changelogged): under exactly-once the alert, the state change and the input offset are
 * committed in one transaction, so a crash or restart neither repeats nor loses an alert. Idle cameras are
 * removed from the store.
 */
final class EpisodeDetector implements Processor<String, Classification, String, Alert> {

    private static final Logger LOG = LoggerFactory.getLogger(EpisodeDetector.class);

    private final DebounceRules rules;
    private final String storeName;
    private final String peopleStoreName;
    private final AlertsMetrics metrics;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, CameraState> store;
    private KeyValueStore<String, PeopleState> peopleStore;

    EpisodeDetector(DebounceRules rules, String storeName, String peopleStoreName, AlertsMetrics metrics) {
        this.rules = rules;
        this.storeName = storeName;
        this.peopleStoreName = peopleStoreName;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.peopleStore = context.getStateStore(peopleStoreName);
    }

    @Override
    public void process(Record<String, Classification> record) {
        Classification c = record.value();
        if (tracked(c)) {
            processPeople(c);
        } else {
            processCamera(c);
        }
    }

    /** Face detection on: the faces carry track ids, and each person is debounced on their own. */
    private static boolean tracked(Classification c) {
        for (Face f : c.getFaces()) {
            if (f.getTrackId() != null) {
                return true;
            }
        }
        return false;
    }

    /** Whole-frame mode (or a frame with nobody): the camera's frames are one stream of observations. */
    private void processCamera(Classification c) {
        String camera = c.getCameraId();
        DebounceRules.Observation observation = c.getMask() == null
                ? absent(c) : observation(c, c.getMask().getLabel(), c.getMask().getProbability(), c.getUncertainty());
        countUncertain(camera, observation);
        CameraState stored = store.get(camera);
        PeopleState people = peopleStore.get(camera);
        if (people != null) {
            // a detect-mode camera whose frame shows nobody: every person it follows is absent
            observePeople(c, camera, people, Map.of());
        }
        if (stored == null && rules.matchOf(observation) == null) {
            return; // an idle camera seeing a frame that does not match stays idle
        }
        CameraState state = stored == null ? new CameraState() : stored;
        DebounceRules.Outcome outcome = rules.observe(state, observation);
        logRearmed(camera, outcome);
        if (state.isIdle()) {
            if (stored != null) {
                store.delete(camera);
            }
        } else {
            store.put(camera, state);
        }
        if (outcome.firing() != null) {
            raise(c, outcome.firing(), camera + "/" + outcome.firing().kind() + "/" + outcome.firing().firstSequence(),
                    null, null);
        }
    }

    private void processPeople(Classification c) {
        String camera = c.getCameraId();
        Map<Long, Face> present = new TreeMap<>();
        for (Face f : c.getFaces()) {
            if (f.getTrackId() != null) {
                present.put(f.getTrackId(), f);
            }
        }
        PeopleState stored = peopleStore.get(camera);
        observePeople(c, camera, stored == null ? new PeopleState() : stored, present);
    }

    /**
     * One frame for each person: the present ones are observed with their face's mask, the others the camera still
     * follows are observed absent (a frame that does not match, so their episodes can end after the quiet period).
     */
    private void observePeople(Classification c, String camera, PeopleState people, Map<Long, Face> present) {
        boolean had = !people.isIdle();
        java.util.Set<Long> ids = new java.util.TreeSet<>(people.people().keySet());
        ids.addAll(present.keySet());
        for (Long id : ids) {
            Face face = present.get(id);
            DebounceRules.Observation observation = face == null ? absent(c)
                    : observation(c, face.getMask().getLabel(), face.getMask().getProbability(), face.getUncertainty());
            countUncertain(camera, observation);
            CameraState state = people.people().get(id);
            if (state == null && rules.matchOf(observation) == null) {
                continue;
            }
            if (state == null) {
                state = new CameraState();
                people.people().put(id, state);
            }
            DebounceRules.Outcome outcome = rules.observe(state, observation);
            logRearmed(camera + " track " + id, outcome);
            if (state.isIdle()) {
                people.people().remove(id);
            }
            DebounceRules.Firing f = outcome.firing();
            if (f != null) {
                raise(c, f, camera + "/track-" + id + "/" + f.kind() + "/" + f.firstSequence(), id, face);
            }
        }
        if (people.isIdle()) {
            if (had) {
                peopleStore.delete(camera);
            }
        } else {
            peopleStore.put(camera, people);
        }
    }

    private void logRearmed(String subject, DebounceRules.Outcome outcome) {
        for (DebounceRules.Rearmed r : outcome.rearmed()) {
            LOG.info("Camera {}: {} episode from frame {} over ({} matching frames, last at frame {}); re-armed",
                    subject, r.kind(), r.episode().firstSequence(), r.episode().matchingFrames(),
                    r.episode().lastMatchSequence());
        }
    }

    private void raise(Classification c, DebounceRules.Firing f, String alertId, Long trackId, Face face) {
        String camera = c.getCameraId();
        long now = context.currentSystemTimeMs();
        Alert alert = Alert.newBuilder()
                .setAlertId(alertId)
                .setCameraId(camera)
                .setKind(f.kind())
                .setFirstFrameSequence(f.firstSequence())
                .setLastFrameSequence(f.lastSequence())
                .setFirstCaptureTime(Instant.ofEpochMilli(f.firstCaptureMillis()))
                .setLastCaptureTime(Instant.ofEpochMilli(f.lastCaptureMillis()))
                .setRaisedTime(Instant.ofEpochMilli(now))
                .setMatchingFrames(f.matchingFrames())
                .setWindowFrames(f.windowFrames())
                .setPeakConfidence(f.peakConfidence())
                .setModelVersion(c.getModelVersion())
                .setTrackId(trackId)
                .setBox(face == null ? null : face.getBox())
                .build();
        metrics.raised(camera, f.kind());
        LOG.info("Alert {}: camera {} saw {}{} in {} of its last {} frames (frames {}..{}, peak {}, model {})",
                alert.getAlertId(), camera, f.kind(), trackId == null ? "" : " (track " + trackId + ")", f.matchingFrames(),
                f.windowFrames(), f.firstSequence(), f.lastSequence(), f.peakConfidence(), c.getModelVersion());
        // The record's time is when the alert was raised: retention and the webhook's start position follow it,
        // even when old classifications are replayed.
        context.forward(new Record<>(camera, alert, now));
    }

    private static DebounceRules.Observation observation(Classification c, MaskState label, float probability,
                                                         Uncertainty uncertainty) {
        return new DebounceRules.Observation(c.getFrameSequence(), c.getCaptureTime().toEpochMilli(), label, probability,
                uncertainty == null ? Float.NaN : uncertainty.getMaskSpread());
    }

    private void countUncertain(String camera, DebounceRules.Observation observation) {
        if (rules.tooUncertain(observation)) {
            metrics.uncertain(camera, rules.kindOf(observation));
        }
    }

    /** A frame in which the subject is not seen: it counts as a frame, matches nothing. */
    private static DebounceRules.Observation absent(Classification c) {
        return new DebounceRules.Observation(c.getFrameSequence(), c.getCaptureTime().toEpochMilli(), MaskState.WORN, 0f);
    }
}
