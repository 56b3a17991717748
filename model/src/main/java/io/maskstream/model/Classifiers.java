package io.maskstream.model;

/**
 * The one way serving and evaluation turn a bundle into a model that classifies: a network's bundle becomes a
 * {@link Classifier}, an ensemble's an {@link EnsembleClassifier} of its members. The processor, replay evaluation,
 * {@code score}, the benchmarks and the trainer's promotion gate all load through here, so an ensemble serves, is
 * evaluated and is gated like any version.
 */
public final class Classifiers {

    private Classifiers() {
    }

    /** As {@link #load(ModelBundle, ComputeSettings, ImageLimits)} with the default image limits. */
    public static BatchClassifier load(ModelBundle bundle, ComputeSettings settings) throws InvalidModelException {
        return load(bundle, settings, ImageLimits.defaults());
    }

    /**
     * The bundle's model, verified and warmed up ({@link Classifier#load}; for an ensemble every member so, and a
     * member that fails refuses the whole ensemble with an exception naming it).
     *
     * @throws IllegalArgumentException if the settings ask for a GPU that does not exist
     */
    public static BatchClassifier load(ModelBundle bundle, ComputeSettings settings, ImageLimits limits)
            throws InvalidModelException {
        return bundle.isEnsemble() ? EnsembleClassifier.load(bundle, settings, limits) : Classifier.load(bundle, settings, limits);
    }
}
