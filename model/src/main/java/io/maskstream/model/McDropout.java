package io.maskstream.model;

import java.util.List;
import java.util.Random;

/**
 * MC-dropout at serving time: the backbone runs once, then the heads run {@code passes} times on the pooled features,
 * each pass with its own dropout mask on them (rate {@code rate}, kept features scaled by {@code 1/(1-rate)} as in
 * training). The combined prediction is the mean of the passes, where the layout's own distributions live
 * ({@link Outputs#mean}), with {@link Uncertainty#of} the passes attached ({@link Uncertainty#MC_DROPOUT}).
 *
 * <p>Invariant: the masks depend only on {@code seed}, {@code passes}, {@code rate} and the feature width, never on
 * the batch, its order or the time: the same image gets the same prediction and the same spread whatever it was
 * batched with (repeatable serving and replay). The heads are linear layers on a few hundred features, so N passes cost
 * far less than N forward passes.
 *
 * @param passes how many masked passes of the heads; 0 turns MC-dropout off (one plain pass, no uncertainty); 1 is
 *     refused (one pass has no spread)
 * @param rate the share of features each mask drops, in (0, 1) (not checked when off)
 * @param seed where the masks come from
 */
public record McDropout(int passes, double rate, long seed) {

    /** One plain pass: no MC-dropout. */
    public static final McDropout OFF = new McDropout(0, 0.2, 0);
    /**
     * The seed serving uses (the processor, replay evaluation, {@code score}): fixed, so every instance, every restart
     * and every replay samples the same masks.
     */
    public static final long SERVING_SEED = 16L;

    /** Checks the ranges. */
    public McDropout {
        if (passes < 0 || passes == 1) {
            throw new IllegalArgumentException("MC-dropout needs 0 passes (off) or at least 2, got " + passes);
        }
        if (passes > 0 && !(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("the MC-dropout rate must lie in (0, 1), got " + rate);
        }
    }

    /** Whether MC-dropout is on. */
    public boolean enabled() {
        return passes > 0;
    }

    /**
     * The masks for {@code features} features, pass-major ({@code passes × features}): each value 0 (dropped) or
     * {@code 1/(1-rate)} (kept). A pass that would drop every feature keeps its first one instead.
     */
    float[] masks(int features) {
        Random random = new Random(seed * 1_000_003L + features);
        float kept = (float) (1 / (1 - rate));
        float[] masks = new float[passes * features];
        for (int p = 0; p < passes; p++) {
            boolean any = false;
            for (int f = 0; f < features; f++) {
                boolean keep = random.nextDouble() >= rate;
                masks[p * features + f] = keep ? kept : 0f;
                any |= keep;
            }
            if (!any) {
                masks[p * features] = kept;
            }
        }
        return masks;
    }

    /**
     * {@code model} serving with these passes: a view whose {@link BatchClassifier#classify} asks the model for them
     * ({@link BatchClassifier#classify(List, boolean, McDropout)}); {@code model} itself when off. Closing the view does
     * not close the model (whoever holds the model closes it).
     */
    public BatchClassifier on(BatchClassifier model) {
        if (!enabled()) {
            return model;
        }
        McDropout mc = this;
        return new BatchClassifier() {
            @Override
            public String version() {
                return model.version();
            }

            @Override
            public BundleMetadata metadata() {
                return model.metadata();
            }

            @Override
            public ImagePreprocessor preprocessor() {
                return model.preprocessor();
            }

            @Override
            public List<Prediction> classify(List<PreparedImage> images, boolean flipTta) {
                return model.classify(images, flipTta, mc);
            }

            @Override
            public void close() {
                // a view: the model's holder closes the model
            }
        };
    }
}
