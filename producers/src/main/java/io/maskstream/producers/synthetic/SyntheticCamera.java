package io.maskstream.producers.synthetic;

import io.maskstream.synthetic.Rng;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticPerson;

import io.maskstream.events.MaskState;
import io.maskstream.producers.CameraSource;
import io.maskstream.datasets.Capture;
import java.time.Instant;
import java.util.Objects;

/**
 * The synthetic generator as a live camera: one person at a time in front of it, for a stretch of frames, with the
 * mask state its {@link Scenario} draws. Which person and state appear in frame {@code n} depends only on the
 * generator seed, the camera id and {@code n}, so a test knows what a camera showed. Each frame is a new photo
 * (pose, light and noise vary), JPEG-encoded; its {@code source} is {@code synthetic:<personId>:<maskState>}.
 */
public final class SyntheticCamera implements CameraSource {

    private final String cameraId;
    private final double fps;
    private final SyntheticFaces faces;
    private final Scenario scenario;
    private final int population;
    private final long maxFrames;
    private final long cameraSeed;
    private long produced;
    private long stretch = -1;
    private SyntheticPerson person;
    private MaskState state;

    /**
     * @param population persons the camera draws from (the generator's persons {@code 0..population-1})
     * @param maxFrames  frames after which the camera ends; 0 for no end
     */
    public SyntheticCamera(String cameraId, double fps, SyntheticFaces faces, Scenario scenario, int population,
                           long maxFrames) {
        this.cameraId = Objects.requireNonNull(cameraId, "cameraId");
        if (cameraId.isBlank()) {
            throw new IllegalArgumentException("camera id is blank");
        }
        if (fps < 0 || population < 1 || maxFrames < 0) {
            throw new IllegalArgumentException("need fps >= 0, population >= 1, maxFrames >= 0");
        }
        this.fps = fps;
        this.faces = Objects.requireNonNull(faces, "faces");
        this.scenario = Objects.requireNonNull(scenario, "scenario");
        this.population = population;
        this.maxFrames = maxFrames;
        this.cameraSeed = Rng.mix(faces.options().seed(), 8, cameraId.hashCode());
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
    public Capture next() {
        if (maxFrames > 0 && produced >= maxFrames) {
            return null;
        }
        long n = produced++;
        long s = n / scenario.stretchFrames();
        if (s != stretch) {
            stretch = s;
            Rng r = new Rng(Rng.mix(cameraSeed, s));
            person = faces.person(r.nextInt(population));
            double u = r.uniform();
            state = u < scenario.noneShare() ? MaskState.NONE
                    : u < scenario.noneShare() + scenario.incorrectShare() ? MaskState.INCORRECT : MaskState.WORN;
        }
        return faces.capture(person, state, Rng.mix(cameraSeed, 9, n), Instant.now(),
                "synthetic:" + person.id() + ":" + state);
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
