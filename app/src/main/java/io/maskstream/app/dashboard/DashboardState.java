package io.maskstream.app.dashboard;

import io.maskstream.app.dashboard.Snapshot.AlertView;
import io.maskstream.app.dashboard.Snapshot.BoxView;
import io.maskstream.app.dashboard.Snapshot.CameraView;
import io.maskstream.app.dashboard.Snapshot.DriftView;
import io.maskstream.app.dashboard.Snapshot.FaceView;
import io.maskstream.app.dashboard.Snapshot.Head;
import io.maskstream.app.dashboard.Snapshot.MetricsView;
import io.maskstream.app.dashboard.Snapshot.Models;
import io.maskstream.app.dashboard.Snapshot.ReleaseView;
import io.maskstream.app.dashboard.Snapshot.ReportLink;
import io.maskstream.app.dashboard.Snapshot.SeriesPoint;
import io.maskstream.app.dashboard.Snapshot.ServingView;
import io.maskstream.app.dashboard.Snapshot.TopicView;
import io.maskstream.app.dashboard.Snapshot.Totals;
import io.maskstream.events.Alert;
import io.maskstream.events.Classification;
import io.maskstream.events.DriftEvent;
import io.maskstream.events.DriftScope;
import io.maskstream.events.DriftState;
import io.maskstream.events.Face;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Frame;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelMetrics;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.trainer.Releases;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dashboard's picture of the system, built from the events it reads: per camera the latest frame's faces
 * and verdict and running counts, the alert feed, the throughput and latency series, and the model releases.
 * Counts are per face: a frame showing nobody counts nothing (but is an event), an event from before faces
 * existed counts as the one face its frame-level verdict describes. It keeps bounded memory whatever the
 * traffic: at most {@value #MAX_CAMERAS} cameras (the longest silent one is forgotten first),
 * {@value #ALERT_FEED} alerts, {@value #SERIES_POINTS} chart points, {@value #MAX_LATENCY_SAMPLES} latency
 * samples, {@value #TRACKS_REMEMBERED} track ids per camera and {@value #DRIFT_WINDOWS} drift windows. All state is read and written under this
 * object's lock (only {@link #frame} does work, its image header, before taking it): consumer threads write,
 * the ticker and HTTP threads read. Time is passed in, never read, so tests control it.
 */
final class DashboardState {

    static final int ALERT_FEED = 50;
    static final int MAX_CAMERAS = 256;
    static final int SERIES_POINTS = 120;
    static final long LATENCY_WINDOW_MS = 10_000;
    static final int MAX_LATENCY_SAMPLES = 200_000;
    static final long STALE_MS = 10_000;
    static final int RETIRED_SHOWN = 5;
    static final int CLASSES = 18;
    static final int MAX_FACES_SHOWN = 32;
    /** Track ids remembered per camera to count distinct people; one forgotten and seen again counts twice. */
    static final int TRACKS_REMEMBERED = 512;
    /** Drift windows (camera or overall, per statistic) whose latest drift event is shown; the least recent go first. */
    static final int DRIFT_WINDOWS = 64;

    private final boolean keepFrames;
    private final long startedAt;

    private final Map<String, CameraStats> cameras = new HashMap<>();
    private final ArrayDeque<AlertView> alerts = new ArrayDeque<>();
    private final Set<String> alertIds = new HashSet<>();
    private final Map<String, AlertView> lastAlertByCamera = new HashMap<>();
    private final Map<String, Long> alertsByKind = new TreeMap<>();
    private long alertsSeen;
    private final Map<String, ModelRelease> releases = new HashMap<>();
    private Map<String, OnlineFigures.Figures> onlineFigures = Map.of();
    /** The latest drift event of each window and statistic, least recently changed first. */
    private final LinkedHashMap<String, DriftView> drift = new LinkedHashMap<>();
    private final long[] byMask = new long[MaskState.values().length];
    private long events;
    private long unreadable;

    /** (arrival millis, latency millis) of recent events, oldest first. */
    private final ArrayDeque<long[]> latencies = new ArrayDeque<>();
    private final ArrayDeque<SeriesPoint> series = new ArrayDeque<>();
    private long lastTickAt;
    private long eventsAtLastTick;
    private final Map<String, TopicView> topics = new LinkedHashMap<>();

    DashboardState(boolean keepFrames, long startedAt) {
        this.keepFrames = keepFrames;
        this.startedAt = startedAt;
        this.lastTickAt = startedAt;
    }

    /** The latest frame of a camera, as its source encoded it; {@code size} null when it could not be learned. */
    record LatestFrame(byte[] image, String contentType, long sequence, long captureTime, FrameSize size) {
    }

    private static final class CameraStats {
        final String id;
        long events;
        long eventsAtLastTick;
        double eventsPerSecond;
        long lastSeen;
        final long[] byMask = new long[MaskState.values().length];
        final long[] byClass = new long[CLASSES];
        Classification latest;
        LatestFrame frame;
        long tracksSeen;
        /** Track ids seen lately, least recently seen first (ids count up per camera: old ones rarely return). */
        final Map<Long, Boolean> recentTracks = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > TRACKS_REMEMBERED;
            }
        };
        /** Right and bottom edges of every box seen: boxes are clipped to their frame, so a lower bound of its size. */
        float boxesRight;
        float boxesBottom;

        CameraStats(String id) {
            this.id = id;
        }
    }

    synchronized void classification(Classification c, long now) {
        CameraStats cam = camera(c.getCameraId(), now);
        cam.events++;
        cam.lastSeen = now;
        List<Face> faces = c.getFaces();
        if (!faces.isEmpty()) {
            for (Face f : faces) {
                count(cam, f.getMask().getLabel(), f.getClassCode());
                if (f.getTrackId() != null && cam.recentTracks.put(f.getTrackId(), Boolean.TRUE) == null) {
                    cam.tracksSeen++;
                }
                FaceBox b = f.getBox();
                cam.boxesRight = Math.max(cam.boxesRight, b.getX() + b.getWidth());
                cam.boxesBottom = Math.max(cam.boxesBottom, b.getY() + b.getHeight());
            }
        } else if (c.getMask() != null) { // written before faces existed: the frame-level verdict is its one face
            count(cam, c.getMask().getLabel(), c.getClassCode() == null ? -1 : c.getClassCode());
        } // else nobody in view: an event, but nothing to count
        cam.latest = c; // a camera's events share a partition, so the last read is the newest (even after a restart)
        events++;
        latencies.addLast(new long[] {now, Math.max(0, c.getLatencyMs())});
        while (latencies.size() > MAX_LATENCY_SAMPLES) {
            latencies.removeFirst();
        }
    }

    private void count(CameraStats cam, MaskState mask, int code) {
        cam.byMask[mask.ordinal()]++;
        byMask[mask.ordinal()]++;
        if (code >= 0 && code < CLASSES) {
            cam.byClass[code]++;
        }
    }

    /** Keeps a camera's latest frame, only when frames are switched on; when off the image is not even copied. */
    void frame(Frame f, long now) {
        if (!keepFrames) {
            return;
        }
        ByteBuffer image = f.getImage().duplicate();
        byte[] bytes = new byte[image.remaining()];
        image.get(bytes);
        // the header is read outside the lock, so HTTP and the ticker never wait on it
        FrameSize size = FrameSize.of(f.getWidth(), f.getHeight(), bytes).orElse(null);
        LatestFrame latest = new LatestFrame(bytes, f.getContentType(), f.getSequence(),
                f.getCaptureTime().toEpochMilli(), size);
        synchronized (this) {
            camera(f.getCameraId(), now).frame = latest;
        }
    }

    synchronized void alert(Alert a, long now) {
        if (!alertIds.add(a.getAlertId())) {
            return; // the same alert read again (a re-read partition): the feed shows it once
        }
        AlertView view = new AlertView(a.getAlertId(), a.getCameraId(), a.getKind().name(),
                a.getRaisedTime().toEpochMilli(), a.getFirstCaptureTime().toEpochMilli(),
                a.getLastCaptureTime().toEpochMilli(), a.getFirstFrameSequence(), a.getLastFrameSequence(),
                a.getMatchingFrames(), a.getWindowFrames(), round(a.getPeakConfidence()), a.getModelVersion(), now,
                a.getTrackId());
        alerts.addFirst(view);
        while (alerts.size() > ALERT_FEED) {
            alertIds.remove(alerts.removeLast().alertId());
        }
        alertsSeen++;
        alertsByKind.merge(a.getKind().name(), 1L, Long::sum);
        lastAlertByCamera.put(a.getCameraId(), view);
        if (lastAlertByCamera.size() > MAX_CAMERAS) {
            lastAlertByCamera.keySet().retainAll(cameras.keySet());
        }
    }

    /**
     * A drift event: it replaces the earlier state of its window (a camera, or a model version overall) and statistic,
     * unless it is older than that state (a partition read again).
     */
    synchronized void drift(DriftEvent e, long now) {
        boolean camera = e.getScope() == DriftScope.CAMERA;
        String key = e.getScope() + "\u0000" + (camera ? e.getCameraId() : e.getModelVersion()) + "\u0000" + e.getStatistic();
        DriftView earlier = drift.get(key);
        long time = e.getEventTime().toEpochMilli();
        if (earlier != null && earlier.eventTime() > time) {
            return;
        }
        drift.remove(key);
        drift.put(key, new DriftView(e.getScope().name(), camera ? e.getCameraId() : null, e.getModelVersion(),
                e.getStatistic().name(), e.getState().name(), round(e.getPsi()), e.getThreshold(), e.getClearThreshold(),
                e.getWindowFrames(), e.getReference().name(), time, now));
        while (drift.size() > DRIFT_WINDOWS) {
            drift.remove(drift.keySet().iterator().next());
        }
    }

    /** A release's latest state; {@code release == null} is a tombstone: the version was deleted. */
    synchronized void release(String version, ModelRelease release) {
        if (release == null) {
            if (version != null) {
                releases.remove(version);
            }
            return;
        }
        releases.put(release.getVersion(), release);
    }

    /** The online evaluation's latest figures per version (replacing the previous ones). */
    synchronized void onlineFigures(Map<String, OnlineFigures.Figures> figures) {
        onlineFigures = Map.copyOf(figures);
    }

    /** A record that could not be decoded (counted, then skipped). */
    synchronized void unreadable() {
        unreadable++;
    }

    synchronized long unreadableCount() {
        return unreadable;
    }

    synchronized void topic(String role, String name, String state) {
        topics.put(role, new TopicView(role, name, state));
    }

    /** Closes one second of the charts: events/s since the last tick and latency percentiles of the window. */
    synchronized void tick(long now) {
        long elapsed = now - lastTickAt;
        if (elapsed <= 0) {
            return;
        }
        double rate = (events - eventsAtLastTick) * 1000.0 / elapsed;
        for (CameraStats cam : cameras.values()) {
            cam.eventsPerSecond = (cam.events - cam.eventsAtLastTick) * 1000.0 / elapsed;
            cam.eventsAtLastTick = cam.events;
        }
        eventsAtLastTick = events;
        lastTickAt = now;
        long[] window = window(now);
        series.addLast(new SeriesPoint(now, round(rate), percentile(window, 0.50), percentile(window, 0.99)));
        while (series.size() > SERIES_POINTS) {
            series.removeFirst();
        }
    }

    synchronized Optional<LatestFrame> latestFrame(String camera) {
        CameraStats cam = cameras.get(camera);
        return cam == null ? Optional.empty() : Optional.ofNullable(cam.frame);
    }

    synchronized Snapshot snapshot(long now, List<ReportLink> reports) {
        long[] window = window(now);
        double rate = series.isEmpty() ? 0 : series.getLast().eventsPerSecond();
        Totals totals = new Totals(events, rate, percentile(window, 0.50), percentile(window, 0.99), window.length,
                LATENCY_WINDOW_MS, alertsSeen, new TreeMap<>(alertsByKind), cameras.size(), maskCounts(byMask),
                unreadable);
        List<CameraView> cams = cameras.values().stream().sorted(Comparator.comparing(c -> c.id))
                .map(c -> view(c, now)).toList();
        return new Snapshot(now, startedAt, keepFrames, totals, cams, new ArrayList<>(alerts), new ArrayList<>(series),
                models(now), reports, new ArrayList<>(topics.values()), driftViews());
    }

    /** Windows drifting now first, then the cleared ones; newest first in each. */
    private List<DriftView> driftViews() {
        return drift.values().stream().sorted(Comparator.comparing((DriftView d) -> !d.state().equals(DriftState.RAISED.name()))
                .thenComparing(Comparator.comparingLong(DriftView::eventTime).reversed())).toList();
    }

    private CameraView view(CameraStats c, long now) {
        Classification l = c.latest;
        boolean stale = now - c.lastSeen > STALE_MS;
        if (l == null) { // a camera known from its frames only
            return new CameraView(c.id, 0, 0, c.lastSeen, stale, -1, 0, 0, null, null, null, null, -1, 0,
                    maskCounts(c.byMask), c.byClass.clone(), c.frame != null, c.frame == null ? -1 : c.frame.sequence(),
                    lastAlertByCamera.get(c.id), 0, List.of(), c.tracksSeen, null, frameSize(c));
        }
        List<FaceView> faces = l.getFaces().stream().limit(MAX_FACES_SHOWN).map(DashboardState::view).toList();
        return new CameraView(c.id, c.events, round(c.eventsPerSecond), c.lastSeen, stale, l.getFrameSequence(),
                l.getCaptureTime().toEpochMilli(), l.getLatencyMs(), l.getModelVersion(),
                l.getMask() == null ? null : head(l.getMask().getLabel().name(), l.getMask().getProbability(),
                        l.getMask().getProbabilities()),
                l.getGender() == null ? null : head(l.getGender().getLabel().name(), l.getGender().getProbability(),
                        l.getGender().getProbabilities()),
                l.getAge() == null ? null : head(l.getAge().getLabel().name(), l.getAge().getProbability(),
                        l.getAge().getProbabilities()),
                l.getClassCode() == null ? -1 : l.getClassCode(),
                l.getClassProbability() == null ? 0 : round(l.getClassProbability()), maskCounts(c.byMask),
                c.byClass.clone(), c.frame != null, c.frame == null ? -1 : c.frame.sequence(),
                lastAlertByCamera.get(c.id), l.getFaces().size(), faces, c.tracksSeen, l.getDetectorVersion(),
                frameSize(c));
    }

    private static FaceView view(Face f) {
        FaceBox b = f.getBox();
        return new FaceView(new BoxView(round1(b.getX()), round1(b.getY()), round1(b.getWidth()), round1(b.getHeight())),
                round(f.getDetectionScore()),
                head(f.getMask().getLabel().name(), f.getMask().getProbability(), f.getMask().getProbabilities()),
                f.getClassCode(), round(f.getClassProbability()), f.getTrackId());
    }

    /**
     * The pixel space of a camera's boxes, best source first: the kept frame (its event's width and height, else
     * its image header: only when frames are switched on, the dashboard reads no frame otherwise), a whole-frame
     * verdict's centre crop, and last the extent of every box seen, which is all the page can know of a
     * detect-mode camera while frames are off: a lower bound that grows towards the frame as people move about.
     */
    private static FrameSize frameSize(CameraStats c) {
        if (c.frame != null && c.frame.size() != null) {
            return c.frame.size();
        }
        if (c.latest != null) {
            Optional<FrameSize> crop = FrameSize.ofWholeFrameCrop(c.latest.getFaces(), c.latest.getDetectorVersion());
            if (crop.isPresent()) {
                return crop.get();
            }
        }
        if (c.boxesRight >= 1 && c.boxesBottom >= 1) {
            return new FrameSize((int) Math.ceil(c.boxesRight), (int) Math.ceil(c.boxesBottom), FrameSize.FROM_BOXES);
        }
        return null;
    }

    private Models models(long now) {
        Map<String, Integer> serving = new TreeMap<>();
        for (CameraStats c : cameras.values()) {
            if (c.latest != null && now - c.lastSeen <= STALE_MS) {
                serving.merge(c.latest.getModelVersion(), 1, Integer::sum);
            }
        }
        List<ServingView> servingViews = serving.entrySet().stream()
                .map(e -> new ServingView(e.getKey(), e.getValue())).toList();
        List<ReleaseView> active = releases(ReleaseStatus.ACTIVE, Comparator.comparing(ModelRelease::getStatusTime).reversed(),
                Integer.MAX_VALUE);
        List<ReleaseView> candidates = releases(ReleaseStatus.CANDIDATE,
                Comparator.comparing(ModelRelease::getCreatedTime).reversed(), Integer.MAX_VALUE);
        List<ReleaseView> retired = releases(ReleaseStatus.RETIRED,
                Comparator.comparing(ModelRelease::getStatusTime).reversed(), RETIRED_SHOWN);
        return new Models(servingViews, active, candidates, retired, live());
    }

    /** The releases live on the stream, active first, then canaries, then shadows, with their live figures. */
    private List<Snapshot.LiveVersionView> live() {
        List<ReleaseStatus> order = List.of(ReleaseStatus.ACTIVE, ReleaseStatus.CANARY, ReleaseStatus.SHADOW);
        return releases.values().stream().filter(r -> order.contains(r.getStatus()))
                .sorted(Comparator.comparing((ModelRelease r) -> order.indexOf(r.getStatus()))
                        .thenComparing(ModelRelease::getVersion))
                .map(r -> {
                    OnlineFigures.Figures f = onlineFigures.getOrDefault(r.getVersion(),
                            new OnlineFigures.Figures(null, 0, null, 0));
                    return new Snapshot.LiveVersionView(r.getVersion(), r.getStatus().name(), r.getCanaryShare(),
                            f.macroF1() == null ? null : round(f.macroF1()), f.labeledFrames(),
                            f.agreement() == null ? null : round(f.agreement()), f.agreementFrames(), r.getNotes());
                }).toList();
    }

    private List<ReleaseView> releases(ReleaseStatus status, Comparator<ModelRelease> order, int limit) {
        return releases.values().stream().filter(r -> r.getStatus() == status).sorted(order).limit(limit)
                .map(DashboardState::view).toList();
    }

    private static ReleaseView view(ModelRelease r) {
        ModelMetrics m = r.getMetrics();
        MetricsView metrics = m == null ? null : new MetricsView(round(m.getMacroF1()), round(m.getAccuracy()),
                round(m.getMaskF1()), round(m.getGenderF1()), round(m.getAgeF1()), m.getSamples(), m.getHoldout());
        return new ReleaseView(r.getVersion(), r.getStatus().name(), Releases.describeModel(r), r.getInputWidth(),
                r.getInputHeight(), r.getCreatedTime().toEpochMilli(), r.getStatusTime().toEpochMilli(),
                r.getArtifactBytes(), r.getTrainingData(), r.getNotes(), metrics);
    }

    private CameraStats camera(String id, long now) {
        CameraStats cam = cameras.get(id);
        if (cam == null) {
            if (cameras.size() >= MAX_CAMERAS) {
                CameraStats stalest = cameras.values().stream().min(Comparator.comparingLong(c -> c.lastSeen)).orElseThrow();
                cameras.remove(stalest.id);
                lastAlertByCamera.remove(stalest.id);
            }
            cam = new CameraStats(id);
            cam.lastSeen = now;
            cameras.put(id, cam);
        }
        return cam;
    }

    /** Latencies of the events read in the last {@value #LATENCY_WINDOW_MS} ms, sorted; drops older ones. */
    private long[] window(long now) {
        Iterator<long[]> it = latencies.iterator();
        while (it.hasNext() && it.next()[0] < now - LATENCY_WINDOW_MS) {
            it.remove();
        }
        long[] values = new long[latencies.size()];
        int i = 0;
        for (long[] sample : latencies) {
            values[i++] = sample[1];
        }
        Arrays.sort(values);
        return values;
    }

    /** Nearest-rank percentile of sorted values; null when there are none. */
    static Double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return (double) sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    private static Map<String, Long> maskCounts(long[] counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (MaskState s : MaskState.values()) {
            m.put(s.name(), counts[s.ordinal()]);
        }
        return m;
    }

    private static Head head(String label, float probability, List<Float> probabilities) {
        return new Head(label, round(probability), probabilities.stream().map(p -> round(p)).toList());
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : 0;
    }

    /** Pixels to a tenth: finer means nothing on a card. */
    private static double round1(double v) {
        return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : 0;
    }
}
