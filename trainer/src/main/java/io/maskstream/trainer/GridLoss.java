package io.maskstream.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.training.loss.Loss;

/**
 * The face detector's loss on its {@code FACE_GRID} output, CenterNet's (Zhou et al. 2019): objectness by the
 * penalty-reduced focal loss, {@code -(1-p)^2 log p} at the cells holding a face centre and
 * {@code -(1-y)^4 p^2 log(1-p)} elsewhere (y the Gaussian target, so cells next to a centre are barely penalised),
 * summed and divided by the number of faces; plus the L1 distance of the four box channels (centre offset, log size)
 * at the cells that regress a box, weighted by their target and divided by the sum of those weights.
 *
 * <p>Labels: {@code objectness [N,1,H,W]}, {@code box [N,4,H,W]}, {@code boxWeight [N,1,H,W]} (see
 * {@link io.maskstream.model.FaceGrid#encode}). Log-probabilities come from softplus, so saturated logits give finite
 * losses.
 */
final class GridLoss extends Loss {

    private final float boxWeight;

    GridLoss(float boxWeight) {
        super("grid");
        this.boxWeight = boxWeight;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return terms(labels, predictions).get(0);
    }

    /** total, objectness, box: the total is what is minimised, the parts are logged. */
    NDList terms(NDList labels, NDList predictions) {
        NDArray out = predictions.singletonOrThrow();
        NDArray heat = labels.get(0);
        NDArray target = labels.get(1);
        NDArray weight = labels.get(2);
        NDArray logit = out.get(new NDIndex(":, 0:1"));
        NDArray p = Activation.sigmoid(logit);
        NDArray logP = Activation.softPlus(logit.neg()).neg();
        NDArray log1mP = Activation.softPlus(logit).neg();
        NDArray centre = heat.gte(0.999f).toType(DataType.FLOAT32, false);
        NDArray elsewhere = centre.neg().add(1);
        NDArray pos = p.neg().add(1).square().mul(logP).mul(centre);
        NDArray neg = heat.neg().add(1).pow(4).mul(p.square()).mul(log1mP).mul(elsewhere);
        NDArray faces = centre.sum().maximum(1f);
        NDArray objectness = pos.sum().add(neg.sum()).neg().div(faces);
        NDArray l1 = out.get(new NDIndex(":, 1:5")).sub(target).abs().mul(weight);
        NDArray box = l1.sum().div(weight.sum().maximum(1e-6f));
        return new NDList(objectness.add(box.mul(boxWeight)), objectness, box);
    }
}
