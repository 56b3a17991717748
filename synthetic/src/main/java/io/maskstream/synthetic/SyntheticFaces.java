package io.maskstream.synthetic;

import io.maskstream.events.Frame;
import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.datasets.Capture;
import io.maskstream.datasets.FrameLabel;
import io.maskstream.datasets.Frames;
import io.maskstream.datasets.ImageCodec;
import io.maskstream.datasets.DatasetLayout;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.Objects;

/**
 * A deterministic generator of face photos in which mask state, gender and age are visible: person {@code i}
 * of seed {@code s} looks the same in every run, and photo {@code (person, state, variant)} has the same bytes in
 * every run, whatever else was generated before or in parallel. Thread-safe (it holds no mutable state).
 *
 * <p>Mask states are drawn as the competition photographs them: {@code WORN} covers nose and mouth;
 * {@code INCORRECT} leaves the nose out (pulled below the nose, nose tip out, or down on the chin);
 * {@code NONE} shows the whole face. Gender and age shift face shape, hair, brows, make-up, facial hair,
 * wrinkles and grey hair, each with overlap, so no single cue decides a label.
 */
public final class SyntheticFaces {

    private final SyntheticOptions options;

    public SyntheticFaces(SyntheticOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public SyntheticOptions options() {
        return options;
    }

    /** Person {@code index} of this generator's population. */
    public SyntheticPerson person(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("person index must be >= 0, was " + index);
        }
        Rng r = new Rng(Rng.mix(options.seed(), 1, index));
        Gender gender = r.chance(options.maleShare()) ? Gender.MALE : Gender.FEMALE;
        int band = r.weighted(options.under30Share(), options.from30Share(), options.from60Share());
        int age = switch (band) {
            case 0 -> r.between(18, 29);
            case 1 -> r.between(30, 59);
            default -> 60 + (int) Math.floor(Math.pow(r.uniform(), 2) * 21);
        };
        return new SyntheticPerson(index, String.format("%06d", index + 1), gender, age);
    }

    /** The photo's pixels (3-byte BGR, {@link SyntheticOptions#width()} × {@link SyntheticOptions#height()}). */
    public BufferedImage render(SyntheticPerson person, MaskState state, long variant) {
        return FaceRenderer.render(appearance(person), photo(person, state, variant), options.width(), options.height());
    }

    /** The photo as JPEG, at the photo's own quality (drawn within the options' range). */
    public byte[] jpeg(SyntheticPerson person, MaskState state, long variant) {
        Photo photo = photo(person, state, variant);
        return ImageCodec.jpeg(FaceRenderer.render(appearance(person), photo, options.width(), options.height()),
                photo.jpegQuality);
    }

    /** The photo as PNG. */
    public byte[] png(SyntheticPerson person, MaskState state, long variant) {
        return ImageCodec.png(render(person, state, variant));
    }

    /** The photo as an unlabelled JPEG capture, e.g. for a synthetic camera. */
    public Capture capture(SyntheticPerson person, MaskState state, long variant, Instant captureTime, String source) {
        return Capture.of(jpeg(person, state, variant), ImageCodec.JPEG, options.width(), options.height(), captureTime, source);
    }

    /** A {@code Frame} holding the photo as JPEG. */
    public Frame frame(String cameraId, long sequence, SyntheticPerson person, MaskState state, long variant) {
        return Frames.frame(cameraId, sequence, capture(person, state, variant, Instant.now(),
                "synthetic:" + person.id() + ":" + state));
    }

    /** A {@code LabeledFrame} holding the photo as JPEG with its ground truth. */
    public LabeledFrame labeledFrame(String cameraId, long sequence, SyntheticPerson person, MaskState state, long variant) {
        String path = "synthetic/" + folderName(person) + "/" + state + "-" + variant + ".jpg";
        FrameLabel label = new FrameLabel(person.id(), person.gender(), person.age(), SyntheticPerson.RACE, state, path);
        Capture c = capture(person, state, variant, Instant.now(), path);
        return Frames.labeledFrame(cameraId, sequence, new Capture(c.image(), c.contentType(), c.width(), c.height(),
                c.captureTime(), c.source(), label));
    }

    /** The competition folder name of a person: {@code <id>_<gender>_<race>_<age>}. */
    public static String folderName(SyntheticPerson person) {
        return DatasetLayout.folderName(person.id(), person.gender(), SyntheticPerson.RACE, person.age());
    }

    Appearance appearance(SyntheticPerson person) {
        return new Appearance(person.gender(), person.age(), new Rng(Rng.mix(options.seed(), 2, person.index())));
    }

    Photo photo(SyntheticPerson person, MaskState state, long variant) {
        return new Photo(state, new Rng(Rng.mix(options.seed(), 3, person.index(), variant, state.ordinal())), options);
    }
}
