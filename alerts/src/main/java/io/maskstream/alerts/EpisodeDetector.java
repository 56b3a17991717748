package io.maskstream.alerts;

import io.maskstream.events.Alert;
import io.maskstream.events.Classification;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link DebounceRules} to each camera's frames. All per-camera memory is in the episode store
 * (persistent, changelogged): under exactly-once the alert, the state change and the input offset are
 * committed in one transaction, so a crash or restart neither repeats nor loses an alert. Idle cameras are
 * removed from the store.
 */
final class EpisodeDetector implements Processor<String, Classification, String, Alert> {

    private static final Logger LOG = LoggerFactory.getLogger(EpisodeDetector.class);

    private final DebounceRules rules;
    private final String storeName;
    private final AlertsMetrics metrics;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, CameraState> store;

    EpisodeDetector(DebounceRules rules, String storeName, AlertsMetrics metrics) {
        this.rules = rules;
        this.storeName = storeName;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, Classification> record) {
        Classification c = record.value();
        String camera = c.getCameraId();
        CameraState stored = store.get(camera);
        if (stored == null && rules.matchOf(observation(c)) == null) {
            return; // an idle camera seeing a frame that does not match stays idle
        }
        CameraState state = stored == null ? new CameraState() : stored;
        DebounceRules.Outcome outcome = rules.observe(state, observation(c));

        for (DebounceRules.Rearmed r : outcome.rearmed()) {
            LOG.info("Camera {}: {} episode from frame {} over ({} matching frames, last at frame {}); re-armed",
                    camera, r.kind(), r.episode().firstSequence(), r.episode().matchingFrames(),
                    r.episode().lastMatchSequence());
        }
        if (state.isIdle()) {
            if (stored != null) {
                store.delete(camera);
            }
        } else {
            store.put(camera, state);
        }

        DebounceRules.Firing f = outcome.firing();
        if (f != null) {
            long now = context.currentSystemTimeMs();
            Alert alert = Alert.newBuilder()
                    .setAlertId(camera + "/" + f.kind() + "/" + f.firstSequence())
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
                    .build();
            metrics.raised(camera, f.kind());
            LOG.info("Alert {}: camera {} saw {} in {} of its last {} frames (frames {}..{}, peak {}, model {})",
                    alert.getAlertId(), camera, f.kind(), f.matchingFrames(), f.windowFrames(), f.firstSequence(),
                    f.lastSequence(), f.peakConfidence(), c.getModelVersion());
            // The record's time is when the alert was raised: retention and the webhook's start position follow it,
            // even when old classifications are replayed.
            context.forward(new Record<>(camera, alert, now));
        }
    }

    private static DebounceRules.Observation observation(Classification c) {
        return new DebounceRules.Observation(c.getFrameSequence(), c.getCaptureTime().toEpochMilli(),
                c.getMask().getLabel(), c.getMask().getProbability());
    }
}
