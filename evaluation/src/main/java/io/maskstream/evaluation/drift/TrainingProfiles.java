package io.maskstream.evaluation.drift;

import io.maskstream.events.TrainingProfile;
import io.maskstream.model.LabelCodec;
import io.maskstream.model.Prediction;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's {@link TrainingProfile}: the class mix and the top-probability histogram of its own answers on frames of
 * its training population (the trainer uses the person-disjoint holdout, which no weight was fitted on). Live answers
 * are compared with these, not with the label mix: on an unchanged population a model that confuses two classes
 * confuses them live too, so its answers match its holdout answers while they would not match the labels.
 */
public final class TrainingProfiles {

    /** Equal-width bins of the top class probability over [0, 1]. */
    public static final int CONFIDENCE_BINS = 10;

    private TrainingProfiles() {
    }

    /** The bin of {@code probability} among {@code bins} equal-width bins over [0, 1]; 1 (and above) in the last. */
    public static int bin(double probability, int bins) {
        if (!(probability > 0)) {
            return 0;
        }
        return Math.min(bins - 1, (int) (probability * bins));
    }

    /** The profile of {@code predictions} (null entries, frames the preprocessing refused, are skipped). */
    public static TrainingProfile of(String source, List<Prediction> predictions) {
        int[] classes = new int[LabelCodec.CLASSES];
        int[] confidence = new int[CONFIDENCE_BINS];
        int samples = 0;
        for (Prediction p : predictions) {
            if (p == null) {
                continue;
            }
            int code = p.classCode();
            classes[code]++;
            confidence[bin(p.classes()[code], CONFIDENCE_BINS)]++;
            samples++;
        }
        return TrainingProfile.newBuilder().setSource(source).setSamples(samples).setClassCounts(list(classes))
                .setConfidenceCounts(list(confidence)).build();
    }

    static List<Integer> list(int[] counts) {
        List<Integer> out = new ArrayList<>(counts.length);
        for (int c : counts) {
            out.add(c);
        }
        return out;
    }

    static int[] array(List<Integer> counts) {
        int[] out = new int[counts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }
}
