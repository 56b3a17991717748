package io.maskstream.producers.video;

/**
 * Keeps the frames of a stream that fall on a grid of the target rate. Frames are only ever dropped, never
 * repeated: a stream slower than the target keeps all its frames. A gap or a jump back in time (a restarted
 * stream) re-anchors the grid at the next frame.
 * <p>
 * Files are judged by the frames' own timestamps ({@link #streamTime}), so a 30 fps file sampled at 5 fps keeps
 * every sixth frame whatever the decoding speed. Live streams are judged by arrival time ({@link #arrivalTime}):
 * their timestamps can be missing or invented (MJPEG over HTTP carries none, and FFmpeg then assumes 25 fps), and
 * what a live camera delivers is what happens now; a wider tolerance absorbs network jitter.
 */
final class FrameSampler {

    private final long periodMicros;
    private final long toleranceMicros;
    private long nextMicros;
    private long lastKept;
    private boolean anchored;

    private FrameSampler(double fps, boolean jitter) {
        this.periodMicros = fps > 0 ? Math.round(1_000_000 / fps) : 0;
        this.toleranceMicros = jitter ? periodMicros / 4 : Math.min(periodMicros / 10, 5_000);
    }

    /** Samples by the frames' timestamps (files). @param fps target rate; 0 or less keeps every frame */
    static FrameSampler streamTime(double fps) {
        return new FrameSampler(fps, false);
    }

    /** Samples by arrival time, tolerating a quarter period of jitter (live streams). @param fps as above */
    static FrameSampler arrivalTime(double fps) {
        return new FrameSampler(fps, true);
    }

    /** True if the frame at {@code timestampMicros} is kept. */
    boolean accept(long timestampMicros) {
        if (periodMicros == 0) {
            return true;
        }
        if (!anchored || timestampMicros < lastKept || timestampMicros - nextMicros > periodMicros) {
            anchored = true;
            keep(timestampMicros, timestampMicros);
            return true;
        }
        if (timestampMicros + toleranceMicros >= nextMicros) {
            keep(timestampMicros, nextMicros);
            return true;
        }
        return false;
    }

    private void keep(long timestamp, long slot) {
        lastKept = timestamp;
        nextMicros = slot + periodMicros;
    }

    /** Forgets the grid (after a reconnect the stream's clock starts again). */
    void reset() {
        anchored = false;
    }
}
