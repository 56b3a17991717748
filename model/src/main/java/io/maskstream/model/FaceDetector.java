package io.maskstream.model;

import java.util.List;

/**
 * Finds faces in frames. Two kinds exist: a detector the trainer trains (shipped in a release beside the classifier,
 * see {@link ModelBundle#detector()}) and a pretrained one the user brings as a file. Both take frames decoded at full
 * resolution and return boxes in those frames' pixels.
 *
 * <p>Implementations are thread-safe: {@link #detect} may be called from several threads at once.
 */
public interface FaceDetector extends AutoCloseable {

    /** What found the faces, as events name it: a trained detector's model version, or a file's name and digest. */
    String version();

    /** The network's input: frames are letterboxed to it ({@link ImagePreprocessor#letterbox}). */
    InputSpec input();

    /**
     * The faces of each frame, in frame order, from one forward pass over all of them: boxes clipped to the frame,
     * at least {@link DetectorSettings#minScore()}, overlaps suppressed, at most {@link DetectorSettings#maxFaces()}
     * per frame, highest score first. Fails as a whole (an exception, no partial result) when the pass fails.
     */
    List<List<Detection>> detect(List<DecodedImage> frames);

    /** Frees the network once detections in flight are done. */
    @Override
    void close();
}
