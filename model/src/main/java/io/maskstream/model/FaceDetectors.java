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

    /**
     * The training-summary key under which a trained detector records the score threshold that served it best on its
     * validation scenes.
     */
    public static final String SUGGESTED_MIN_SCORE_KEY = "suggestedMinScore";

    /** The detector of a scene bundle, verified and warmed up, at the given settings. */
    public static FaceDetector fromBundle(ModelBundle bundle, ComputeSettings compute, DetectorSettings settings)
            throws InvalidModelException {
        return fromBundle(bundle, compute, settings, false);
    }

    /**
     * As {@link #fromBundle(ModelBundle, ComputeSettings, DetectorSettings)}; with {@code suggestedMinScore} the score
     * threshold is the one the detector recorded at training ({@value #SUGGESTED_MIN_SCORE_KEY}) when it did.
     */
    public static FaceDetector fromBundle(ModelBundle bundle, ComputeSettings compute, DetectorSettings settings,
                                          boolean suggestedMinScore) throws InvalidModelException {
        ModelBundle detector = bundle.detector().orElseThrow(() -> new InvalidModelException(
                InvalidModelException.Reason.LOAD_FAILED, "model " + bundle.metadata().version()
                + " has no face detector (train it on scenes, or bring a pretrained detector file)"));
        DetectorSettings used = settings;
        String recorded = detector.metadata().trainingSummary().get(SUGGESTED_MIN_SCORE_KEY);
        if (suggestedMinScore && recorded != null) {
            try {
                float m = Float.parseFloat(recorded);
                if (m > 0f && m < 1f) {
                    used = new DetectorSettings(m, settings.nmsIou(), settings.maxFaces());
                }
            } catch (NumberFormatException e) {
                // a summary is free text: an unreadable suggestion leaves the configured threshold
            }
        }
        return TrainedFaceDetector.load(detector, compute, used);
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
