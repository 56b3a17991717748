package io.maskstream.model;

import java.util.ArrayList;
import java.util.List;

/**
 * One camera's tracks, as {@link FaceTracker} keeps them: the last id given, the last frame seen, and each live
 * track's id, last box and the frame it was last seen in. Mutable; not thread-safe.
 */
public final class FaceTracks {

    /** A person being followed: their id, where their face was last seen, and in which frame. */
    public record Track(long id, Box box, long lastSequence) {
    }

    private long lastId;
    private long lastSequence = -1;
    private final List<Track> tracks = new ArrayList<>();

    /** An empty state: no track yet, ids start at 1. */
    public FaceTracks() {
    }

    /** A state as stored: its counters and live tracks. */
    public FaceTracks(long lastId, long lastSequence, List<Track> tracks) {
        this.lastId = lastId;
        this.lastSequence = lastSequence;
        this.tracks.addAll(tracks);
    }

    /** The live tracks (the tracker changes this list). */
    public List<Track> tracks() {
        return tracks;
    }

    /** The last frame seen, -1 before the first. */
    public long lastSequence() {
        return lastSequence;
    }

    /** The last id given, 0 before the first. */
    public long lastId() {
        return lastId;
    }

    void seen(long sequence) {
        lastSequence = sequence;
    }

    long newId() {
        return ++lastId;
    }
}
