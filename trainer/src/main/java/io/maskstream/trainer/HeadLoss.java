package io.maskstream.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The training loss over the network's heads (mask, gender, age; or one 18-way head): per head, cross-entropy
 * with optional label smoothing, optional class weights (inverse frequency) and an optional focal factor
 * {@code (1 - p_target)^gamma}; the heads' mean losses are summed.
 *
 * <p>The labels are one target per head, optionally followed by one per-face weight vector per head (twice as many
 * labels as heads): then a head's loss is its faces' weighted mean, {@code sum(w·loss) / max(1, sum(w))}, so a face of
 * weight 0 teaches that head nothing and a batch without a face for a head adds 0 for it (the mask-conditional age
 * heads, each learning only from its own faces).
 */
final class HeadLoss extends Loss {

    private final float[][] classWeights;
    private final float smoothing;
    private final float gamma;

    /**
     * @param classWeights per head, one weight per class, or null for none
     * @param gamma        focal gamma; 0 for plain cross-entropy
     */
    HeadLoss(String name, float[][] classWeights, float smoothing, float gamma) {
        super(name);
        this.classWeights = classWeights;
        this.smoothing = smoothing;
        this.gamma = gamma;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray total = null;
        int heads = predictions.size();
        boolean perFace = labels.size() == 2 * heads;
        if (!perFace && labels.size() != heads) {
            throw new IllegalArgumentException("the loss needs " + heads + " targets (or as many targets and per-face "
                    + "weights), got " + labels.size() + " label arrays");
        }
        for (int h = 0; h < heads; h++) {
            NDArray logits = predictions.get(h);
            int classes = (int) logits.getShape().get(1);
            NDArray logp = logits.logSoftmax(1);
            NDArray oneHot = labels.get(h).toType(ai.djl.ndarray.types.DataType.INT64, false).oneHot(classes)
                    .toType(logp.getDataType(), false);
            NDArray targetLogp = logp.mul(oneHot).sum(new int[] {1});
            NDArray loss = targetLogp.neg();
            if (smoothing > 0) {
                loss = loss.mul(1 - smoothing).add(logp.mean(new int[] {1}).neg().mul(smoothing));
            }
            if (gamma > 0) {
                loss = loss.mul(targetLogp.exp().neg().add(1).pow(gamma));
            }
            if (classWeights != null) {
                NDArray w = logp.getManager().create(classWeights[h]);
                loss = loss.mul(oneHot.mul(w).sum(new int[] {1}));
            }
            NDArray mean;
            if (perFace) {
                NDArray w = labels.get(heads + h).toType(loss.getDataType(), false);
                mean = loss.mul(w).sum().div(w.sum().maximum(1f));
            } else {
                mean = loss.mean();
            }
            total = total == null ? mean : total.add(mean);
        }
        return total;
    }
}
