package io.maskstream.producers;

import io.maskstream.datasets.Capture;

import java.io.IOException;

/**
 * A camera as the publisher sees it: an id (the record key of its frames) and a sequence of captures.
 * A source is used by one thread at a time; the publisher never calls {@link #next()} concurrently.
 *
 * <p>Pacing: a source with {@link #fps()} &gt; 0 that is not {@link #selfPaced()} is polled by the publisher's
 * scheduler once per tick, so {@link #next()} must return promptly (synthetic images, files). A self-paced source
 * (a live stream or a video file played in real time) blocks in {@link #next()} until its next sampled frame and
 * gets a thread of its own; so does a source with fps 0, which is drained as fast as Kafka takes it.
 */
public interface CameraSource extends AutoCloseable {

    /** The camera id: the key of its frames on the frames topic and the {@code cameraId} of every frame. */
    String cameraId();

    /** Frames per second to publish at; 0 means as fast as possible (or at the source's own pace). */
    double fps();

    /**
     * True when this source's captures carry a {@link FrameLabel} and go to the labeled-frames topic (keyed by
     * person id); false for ordinary cameras (frames topic, keyed by camera id). Used to check topics at start.
     */
    default boolean labeled() {
        return false;
    }

    /** True when {@link #next()} itself waits for the next frame (live streams, real-time video playback). */
    default boolean selfPaced() {
        return false;
    }

    /**
     * The next capture, or {@code null} when the source has ended (end of a file, dataset or frame budget).
     * A problem with one image that the source can skip is reported by the source itself (and counted); an
     * exception here ends this camera, not the publisher.
     */
    Capture next() throws IOException, InterruptedException;

    /** Releases what the source holds (open streams, files). Safe to call more than once. */
    @Override
    void close();
}
