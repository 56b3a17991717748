package io.maskstream.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Gives the faces of each camera's consecutive frames stable track ids. Association is greedy: every (track, face)
 * pair scores its IoU when that reaches {@code minIou}, else — for a fast walker or a low frame rate — a small score
 * when the face's centre lies within half a face width of the track's last centre; the best pairs are taken first,
 * each track and face once. A face left over starts a new track (ids count up per camera, never reused); a track
 * unseen for more than {@code maxGapFrames} frames ends. A camera whose sequence numbers go backwards (it restarted
 * counting) starts afresh, keeping its id counter.
 *
 * <p>Pure logic on a {@link FaceTracks} the caller keeps: the processor keeps one per camera in a changelogged store,
 * written in the same transaction as the events, so ids survive a crash and a rebalance exactly once; {@code score}
 * keeps one per sequence.
 */
public final class FaceTracker {

    private final int maxGapFrames;
    private final double minIou;

    /**
     * @param maxGapFrames frames a person may go unseen and keep their id
     * @param minIou       overlap with a track's last box that continues it
     */
    public FaceTracker(int maxGapFrames, double minIou) {
        if (maxGapFrames < 0 || !(minIou > 0 && minIou <= 1)) {
            throw new IllegalArgumentException("a tracker needs a gap >= 0 and an IoU in (0, 1], got " + maxGapFrames
                    + " and " + minIou);
        }
        this.maxGapFrames = maxGapFrames;
        this.minIou = minIou;
    }

    private record Pair(int track, int face, double score) {
    }

    /** Assigns a track id to each face of frame {@code sequence}, in the order given, and updates {@code state}. */
    public long[] assign(FaceTracks state, long sequence, List<Box> faces) {
        if (state.lastSequence() >= 0 && sequence < state.lastSequence()) {
            state.tracks().clear();
        }
        state.tracks().removeIf(t -> sequence - t.lastSequence() > maxGapFrames + 1L);
        List<FaceTracks.Track> tracks = state.tracks();
        List<Pair> pairs = new ArrayList<>();
        for (int t = 0; t < tracks.size(); t++) {
            Box last = tracks.get(t).box();
            for (int f = 0; f < faces.size(); f++) {
                Box face = faces.get(f);
                double iou = last.iou(face);
                if (iou >= minIou) {
                    pairs.add(new Pair(t, f, 1 + iou));
                } else {
                    double reach = Math.max(last.w(), face.w()) / 2;
                    double d = Math.hypot(last.centreX() - face.centreX(), last.centreY() - face.centreY());
                    double sizeRatio = Math.min(last.w(), face.w()) / Math.max(1e-9, Math.max(last.w(), face.w()));
                    if (d < reach && sizeRatio > 0.5) {
                        pairs.add(new Pair(t, f, 1 - d / reach));
                    }
                }
            }
        }
        pairs.sort(Comparator.comparingDouble(Pair::score).reversed());
        long[] ids = new long[faces.size()];
        boolean[] trackTaken = new boolean[tracks.size()];
        boolean[] faceTaken = new boolean[faces.size()];
        for (Pair p : pairs) {
            if (!trackTaken[p.track] && !faceTaken[p.face]) {
                trackTaken[p.track] = true;
                faceTaken[p.face] = true;
                ids[p.face] = tracks.get(p.track).id();
                tracks.set(p.track, new FaceTracks.Track(ids[p.face], faces.get(p.face), sequence));
            }
        }
        for (int f = 0; f < faces.size(); f++) {
            if (!faceTaken[f]) {
                ids[f] = state.newId();
                tracks.add(new FaceTracks.Track(ids[f], faces.get(f), sequence));
            }
        }
        state.seen(sequence);
        return ids;
    }
}
