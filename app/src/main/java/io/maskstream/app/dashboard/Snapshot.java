package io.maskstream.app.dashboard;

import java.util.List;
import java.util.Map;

/**
 * What the page shows, at one instant: the JSON of {@code /api/state} and of every server-sent event.
 * Times are epoch milliseconds; probabilities are 0..1; a null percentile means no event in the window.
 * Holds no image bytes: frames are fetched separately, and only when frames are switched on.
 */
record Snapshot(long now, long startedAt, boolean showFrames, Totals totals, List<CameraView> cameras,
                List<AlertView> alerts, List<SeriesPoint> series, Models models, List<ReportLink> reports,
                List<TopicView> topics, List<DriftView> drift) {

    /** Everything at a glance. {@code byMask} counts events by mask state since the dashboard started. */
    record Totals(long events, double eventsPerSecond, Double latencyP50Ms, Double latencyP99Ms, int latencySamples,
                  long latencyWindowMs, long alerts, Map<String, Long> alertsByKind, int cameras,
                  Map<String, Long> byMask, long unreadable) {
    }

    /** One head's verdict: its label, that label's probability, every label's probability. */
    record Head(String label, double probability, List<Double> probabilities) {
    }

    /**
     * One camera's card. The frame-level verdict ({@code mask}, {@code gender}, {@code age}, {@code classCode},
     * {@code classProbability}) is the latest frame's most prominent face: null (class code -1) when that frame
     * showed nobody. {@code faces} are that frame's faces, largest first (at most
     * {@value DashboardState#MAX_FACES_SHOWN}; {@code people} counts them all), their boxes in the pixels of a
     * frame of {@code frameSize} (null while unknown). {@code byMask} and {@code byClass} (indexed by the
     * 18-class code) count faces since the dashboard started (frames, for events older than faces);
     * {@code tracksSeen} counts the distinct people tracked.
     */
    record CameraView(String id, long events, double eventsPerSecond, long lastSeen, boolean stale,
                      long frameSequence, long captureTime, long latencyMs, String modelVersion, Head mask,
                      Head gender, Head age, int classCode, double classProbability, Map<String, Long> byMask,
                      long[] byClass, boolean hasFrame, long frameShown, AlertView lastAlert, int people,
                      List<FaceView> faces, long tracksSeen, String detectorVersion, FrameSize frameSize) {
    }

    /**
     * One face of a camera's latest frame: where it is (frame pixels, top-left corner and size), the detector's
     * confidence, the mask verdict, the 18-class code and the person's track (null in whole-frame mode).
     */
    record FaceView(BoxView box, double detectionScore, Head mask, int classCode, double classProbability,
                    Long trackId) {
    }

    record BoxView(double x, double y, double width, double height) {
    }

    /**
     * One alert of the feed. {@code receivedAt} is when the dashboard read it; {@code trackId} is the person it
     * is about (null in whole-frame mode).
     */
    record AlertView(String alertId, String cameraId, String kind, long raisedTime, long firstCaptureTime,
                     long lastCaptureTime, long firstFrameSequence, long lastFrameSequence, int matchingFrames,
                     int windowFrames, double peakConfidence, String modelVersion, long receivedAt, Long trackId) {
    }

    /** One second of the charts: events read per second, latency percentiles over the trailing window. */
    record SeriesPoint(long t, double eventsPerSecond, Double p50, Double p99) {
    }

    /**
     * Model versions: what the cameras' latest events were classified with, the releases, and the versions live on the
     * stream (ACTIVE, CANARY, SHADOW) with the online evaluation's figures ({@code live}).
     */
    record Models(List<ServingView> serving, List<ReleaseView> active, List<ReleaseView> candidates,
                  List<ReleaseView> retired, List<LiveVersionView> live) {
    }

    /**
     * A version on the stream and how it does there: {@code role} its release status, {@code canaryShare} a canary's
     * share of cameras; live macro-F1 on {@code labeledFrames} labeled frames and agreement with the active model on
     * {@code agreementFrames} frames, each null until measured (or without {@code dashboard.evaluation.metrics.url}).
     */
    record LiveVersionView(String version, String role, Double canaryShare, Double macroF1, long labeledFrames,
                           Double agreement, long agreementFrames, String notes) {
    }

    /** A model version seen in the latest event of {@code cameras} live cameras. */
    record ServingView(String version, int cameras) {
    }

    record ReleaseView(String version, String status, String architecture, int inputWidth, int inputHeight,
                       long createdTime, long statusTime, long artifactBytes, String trainingData, String notes,
                       MetricsView metrics) {
    }

    record MetricsView(double macroF1, double accuracy, double maskF1, double genderF1, double ageF1, int samples,
                       String holdout) {
    }

    /** A report file, newest first; {@code href} is served by the dashboard. */
    record ReportLink(String name, String href, long bytes, long modified) {
    }

    /**
     * The latest drift event of one window (a camera, or a model version's overall window: {@code cameraId} null)
     * and statistic ({@code CLASS_MIX} or {@code CONFIDENCE}): {@code RAISED} while it drifts, {@code CLEARED} after.
     */
    record DriftView(String scope, String cameraId, String modelVersion, String statistic, String state, double psi,
                     double threshold, double clearThreshold, int windowFrames, String reference, long eventTime,
                     long receivedAt) {
    }

    /** A topic the dashboard follows and how that goes ({@code following}, {@code waiting}: not there yet). */
    record TopicView(String role, String name, String state) {
    }
}
