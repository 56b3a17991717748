package io.maskstream.processor;

import io.maskstream.model.FaceDetector;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.FaceDetectors;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the processor's face detector comes from in detect mode: the pretrained file {@code processor.detector.file}
 * names (loaded once, serving beside every release), else the detector the release's bundle carries (swapped with
 * it, so a classifier always serves the crops of the detector it was trained beside).
 */
final class Detectors {

    private static final Logger LOG = LoggerFactory.getLogger(Detectors.class);

    private Detectors() {
    }

    /** The pretrained detector file, verified and warmed up; null when none is configured. */
    static FaceDetector fromFile(ProcessorConfig config) throws InvalidModelException {
        String file = config.getString(ProcessorConfig.DETECTOR_FILE);
        if (file.isBlank()) {
            return null;
        }
        FaceDetector detector = loadFile(Path.of(file), config);
        LOG.info("Face detector {} loaded from {} ({}); it serves beside every release", detector.version(), file,
                config.getString(ProcessorConfig.DETECTOR_FORMAT));
        return detector;
    }

    /**
     * The detector to swap in with {@code bundle}: its own when no file detector is set (a release without one is
     * refused in detect mode), else none (the file detector stays).
     */
    static FaceDetector forBundle(ModelBundle bundle, ProcessorConfig config, boolean fileDetectorSet)
            throws InvalidModelException {
        if (!config.detectFaces()) {
            return null;
        }
        if (fileDetectorSet) {
            if (bundle.detector().isPresent()) {
                LOG.info("Model {} carries a face detector; {} is set, so that file's detector keeps serving",
                        bundle.metadata().version(), ProcessorConfig.DETECTOR_FILE);
            }
            return null;
        }
        if (bundle.detector().isEmpty()) {
            throw new InvalidModelException(InvalidModelException.Reason.LOAD_FAILED, "model " + bundle.metadata().version()
                    + " has no face detector, which " + ProcessorConfig.FACES_MODE + "=detect needs (train it on scenes, "
                    + "or set " + ProcessorConfig.DETECTOR_FILE + ")");
        }
        return FaceDetectors.fromBundle(bundle, config.computeSettings(), config.detectorSettings(),
                config.detectorMinScoreFromModel());
    }

    private static FaceDetector loadFile(Path file, ProcessorConfig config) throws InvalidModelException {
        return FaceDetectors.fromFile(file, config.getString(ProcessorConfig.DETECTOR_FORMAT), config.computeSettings(),
                config.detectorSettings());
    }
}
