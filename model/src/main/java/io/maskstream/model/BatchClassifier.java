package io.maskstream.model;

import java.util.List;

/**
 * What serving needs of a model: its version and metadata, the preprocessing its inputs must go through, and one
 * forward pass over a batch. {@link Classifier} is the DJL implementation; a serving wrapper (an ensemble, a model
 * under test with an injected fault) is another.
 */
public interface BatchClassifier extends AutoCloseable {

    /** The model version, from the bundle's metadata. */
    String version();

    /** The bundle's metadata. */
    BundleMetadata metadata();

    /** The preprocessing this model needs: use it to prepare every image given to {@link #classify}. */
    ImagePreprocessor preprocessor();

    /**
     * One prediction per image, in order, from one forward pass; with {@code flipTta} averaged with the mirrored
     * image's. Fails as a whole (an exception, no partial result) when the pass fails.
     */
    List<Prediction> classify(List<PreparedImage> images, boolean flipTta);

    /** Frees the model once classifications in flight are done. */
    @Override
    void close();
}
