package io.maskstream.model;

import java.nio.file.Path;
import java.util.Set;

/**
 * Where face detectors come from: the one a scene bundle carries ({@link ModelBundle#detector()}), or a pretrained
 * file the user brings. Every service that detects (processor, replay evaluation, {@code score}, the benchmark) loads
 * them here, with the same verification.
 */
public final class FaceDetectors {

    /** The pretrained file formats this build reads. */
    public static final Set<String> FILE_FORMATS = Set.of(BlazeFaceDetector.Variant.FRONT.format(),
            BlazeFaceDetector.Variant.BACK.format());

    private FaceDetectors() {
    }

    /** The detector of a scene bundle, verified and warmed up. */
    public static FaceDetector fromBundle(ModelBundle bundle, ComputeSettings compute, DetectorSettings settings)
            throws InvalidModelException {
        ModelBundle detector = bundle.detector().orElseThrow(() -> new InvalidModelException(
                InvalidModelException.Reason.LOAD_FAILED, "model " + bundle.metadata().version()
                + " has no face detector (train it on scenes, or bring a pretrained detector file)"));
        return TrainedFaceDetector.load(detector, compute, settings);
    }

    /** A pretrained detector file of {@code format} (one of {@link #FILE_FORMATS}), verified and warmed up. */
    public static FaceDetector fromFile(Path file, String format, ComputeSettings compute, DetectorSettings settings)
            throws InvalidModelException {
        if (!FILE_FORMATS.contains(format)) {
            throw new InvalidModelException(InvalidModelException.Reason.LOAD_FAILED, "unknown detector format \""
                    + format + "\"; this build reads " + FILE_FORMATS);
        }
        return BlazeFaceDetector.load(file, BlazeFaceDetector.Variant.ofFormat(format), compute, settings);
    }
}
