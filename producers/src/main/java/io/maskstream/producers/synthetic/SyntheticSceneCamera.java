package io.maskstream.producers.synthetic;

import io.maskstream.datasets.Capture;
import io.maskstream.producers.CameraSource;
import io.maskstream.synthetic.SyntheticScenes;
import java.time.Instant;
import java.util.Objects;

/**
 * The synthetic scene generator as a camera: people walking through a room, sequence after sequence (each as long as
 * the scenes' {@code framesPerSequence}). Frame {@code n} shows sequence {@code firstSequence + n / framesPerSequence},
 * frame {@code n % framesPerSequence}, so a test knows what the camera showed. A labeled camera's captures carry every
 * face's box and labels (for the trainer); a live camera's carry none.
 */
public final class SyntheticSceneCamera implements CameraSource {

    private final String cameraId;
    private final double fps;
    private final SyntheticScenes scenes;
    private final boolean labeled;
    private final int firstSequence;
    private final long maxFrames;
    private long produced;

    /** @param maxFrames frames after which the camera ends; 0 for no end */
    public SyntheticSceneCamera(String cameraId, double fps, SyntheticScenes scenes, boolean labeled, int firstSequence,
                                long maxFrames) {
        this.cameraId = Objects.requireNonNull(cameraId, "cameraId");
        if (cameraId.isBlank() || fps < 0 || firstSequence < 0 || maxFrames < 0) {
            throw new IllegalArgumentException("need a camera id, fps >= 0, first sequence >= 0, maxFrames >= 0");
        }
        this.fps = fps;
        this.scenes = Objects.requireNonNull(scenes, "scenes");
        this.labeled = labeled;
        this.firstSequence = firstSequence;
        this.maxFrames = maxFrames;
    }

    @Override
    public String cameraId() {
        return cameraId;
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public boolean labeled() {
        return labeled;
    }

    @Override
    public Capture next() {
        if (maxFrames > 0 && produced >= maxFrames) {
            return null;
        }
        long n = produced++;
        int perSequence = scenes.options().framesPerSequence();
        int sequence = (int) Math.min(Integer.MAX_VALUE, firstSequence + n / perSequence);
        Capture c = scenes.capture(sequence, (int) (n % perSequence), Instant.now());
        return labeled ? c : Capture.of(c.image(), c.contentType(), c.width(), c.height(), c.captureTime(),
                "synthetic-scene:" + SyntheticScenes.sequenceId(sequence));
    }

    /** Frames produced so far. */
    public long produced() {
        return produced;
    }

    @Override
    public void close() {
        // nothing held
    }
}
