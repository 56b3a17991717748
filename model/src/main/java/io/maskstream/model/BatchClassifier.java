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

    /**
     * As {@link #classify(List, boolean)}, with MC-dropout: each prediction the mean of {@code mc.passes()} passes with
     * dropout on the features and {@link Prediction#uncertainty()} their spread ({@link McDropout}). A model that cannot
     * sample passes, or whose predictions already carry a spread (an ensemble's members), ignores {@code mc}: this
     * default does.
     */
    default List<Prediction> classify(List<PreparedImage> images, boolean flipTta, McDropout mc) {
        return classify(images, flipTta);
    }

    /** Frees the model once classifications in flight are done. */
    @Override
    void close();
}
