package io.maskstream.producers.video;

import io.maskstream.datasets.Capture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Drains a live {@link VideoSource} on its own thread into a list the test watches; closing stops both. */
final class LiveReader implements AutoCloseable {

    private final VideoSource source;
    private final List<Capture> frames;
    private final Thread thread;

    /** Starts reading {@code source} into {@code frames} (a synchronized list the caller may also observe). */
    LiveReader(VideoSource source, List<Capture> frames) {
        this.source = source;
        this.frames = frames;
        this.thread = new Thread(() -> {
            try {
                for (Capture c = source.next(); c != null; c = source.next()) {
                    frames.add(c);
                }
            } catch (Exception e) {
                // ends the reader; the test's assertions tell what was missed
            }
        }, source.cameraId() + "-reader");
        thread.start();
    }

    /** A copy of the frames read so far. */
    List<Capture> frames() {
        synchronized (frames) {
            return new ArrayList<>(frames);
        }
    }

    static List<Capture> newFrameList() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    @Override
    public void close() throws InterruptedException {
        source.close();
        thread.interrupt();
        thread.join(10_000);
    }
}
