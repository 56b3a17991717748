package io.maskstream.producers.video;

/**
 * Keeps the frames of a stream that fall on a grid of the target rate, judged by the frames' own timestamps,
 * so a 30 fps stream sampled at 5 fps keeps every sixth frame whatever the decoding speed. Frames are only ever
 * dropped, never repeated: a stream slower than the target keeps all its frames. A gap or a jump back in time
 * (a restarted stream) re-anchors the grid at the next frame.
 */
final class FrameSampler {

    private final long periodMicros;
    private final long toleranceMicros;
    private long nextMicros;
    private long lastKept;
    private boolean anchored;

    /** @param fps target rate; 0 or less keeps every frame */
    FrameSampler(double fps) {
        this.periodMicros = fps > 0 ? Math.round(1_000_000 / fps) : 0;
        this.toleranceMicros = Math.min(periodMicros / 10, 5_000);
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
