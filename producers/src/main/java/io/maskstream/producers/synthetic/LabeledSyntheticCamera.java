package io.maskstream.producers.synthetic;

import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticPerson;

import io.maskstream.events.MaskState;
import io.maskstream.datasets.Capture;
import io.maskstream.producers.CameraSource;
import io.maskstream.datasets.FrameLabel;
import java.time.Instant;

/**
 * A stream of labeled photos for training, like the competition data arriving person by person: each
 * synthetic person contributes 5 masked, 1 incorrectly masked and 1 unmasked photo, then the next person comes.
 * Captures carry their ground truth, so the publisher sends them to {@code labeled-frames} keyed by person id.
 */
public final class LabeledSyntheticCamera implements CameraSource {

    private final String cameraId;
    private final double fps;
    private final SyntheticFaces faces;
    private final long limit;
    private long produced;

    /** @param limit photos to produce, 0 for no end */
    public LabeledSyntheticCamera(String cameraId, double fps, SyntheticFaces faces, long limit) {
        this.cameraId = cameraId;
        this.fps = fps;
        this.faces = faces;
        this.limit = limit;
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
        return true;
    }

    @Override
    public Capture next() {
        if (limit > 0 && produced >= limit) {
            return null;
        }
        int personIndex = (int) (produced / 7);
        int photo = (int) (produced % 7);
        produced++;
        SyntheticPerson person = faces.person(personIndex);
        MaskState state = photo < 5 ? MaskState.WORN : photo == 5 ? MaskState.INCORRECT : MaskState.NONE;
        String name = photo < 5 ? "mask" + (photo + 1) : photo == 5 ? "incorrect_mask" : "normal";
        String path = "synthetic/" + SyntheticFaces.folderName(person) + "/" + name + ".jpg";
        Capture c = faces.capture(person, state, photo, Instant.now(), path);
        return new Capture(c.image(), c.contentType(), c.width(), c.height(), c.captureTime(), c.source(),
                new FrameLabel(person.id(), person.gender(), person.age(), SyntheticPerson.RACE, state, path));
    }

    @Override
    public void close() {
        // nothing held
    }
}
