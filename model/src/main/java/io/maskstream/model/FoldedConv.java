package io.maskstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataOutputStream;

/**
 * A 2-D convolution with the batch norm that followed it folded into its weight and bias (see {@link BatchNormFolding}).
 *
 * <p>The weight is held channels-last: an {@code [out, kh, kw, in]} array viewed as {@code [out, in, kh, kw]}. DJL has
 * no memory-format API, but libtorch picks the layout of a convolution from its operands' strides, so with such a
 * weight oneDNN runs NHWC kernels, and its output, and every convolution after it, stays NHWC (pointwise ops, pooling
 * and the residual adds keep the layout). On the AVX2 build hosts, one intra-op thread, that cut inference by a
 * further 5–17% over folding alone (measured in alternating rounds when it was added; {@code ModelBenchmark} shows the
 * two together); results are the same up to float rounding.
 *
 * <p>Invariant: serving only. It holds plain arrays, not parameters, so it has nothing to train, initialise or save
 * ({@link #saveParameters} refuses: a bundle always holds the unfolded network's weights); its arrays belong to the
 * manager of the model that folded it and are freed with that manager.
 */
final class FoldedConv extends AbstractBlock {

    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final int groups;

    private FoldedConv(NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation, int groups) {
        super((byte) 1);
        this.weight = weight;
        this.bias = bias;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
    }

    /**
     * A folded convolution with {@code weight}, {@code shape} {@code [out, in/groups, kh, kw]} in that (row-major) order,
     * and {@code bias} ({@code [out]}), its arrays made in {@code manager}; stride, padding, dilation and groups as the
     * convolution's.
     */
    static FoldedConv of(NDManager manager, float[] weight, Shape shape, float[] bias, Shape stride, Shape padding,
                         Shape dilation, int groups) {
        int out = Math.toIntExact(shape.get(0));
        int in = Math.toIntExact(shape.get(1));
        int area = Math.toIntExact(shape.get(2) * shape.get(3));
        float[] lastIn = new float[weight.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int k = 0; k < area; k++) {
                    lastIn[(o * area + k) * in + i] = weight[(o * in + i) * area + k];
                }
            }
        }
        NDArray channelsLast;
        try (NDArray ohwi = manager.create(lastIn, new Shape(out, shape.get(2), shape.get(3), in));
             NDArray view = ohwi.transpose(0, 3, 1, 2)) {
            // The view would point into ohwi's Java buffer; libtorch's clone keeps its strides and owns its memory.
            channelsLast = view.duplicate();
        }
        return new FoldedConv(channelsLast, manager.create(bias, new Shape(out)), stride, padding, dilation, groups);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        if (training) {
            throw new IllegalStateException("a folded convolution serves only; train the unfolded network");
        }
        return Conv2d.conv2d(inputs.singletonOrThrow(), weight, bias, stride, padding, dilation, groups);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape kernel = weight.getShape();
        return new Shape[] {new Shape(in.get(0), kernel.get(0), side(in.get(2), kernel.get(2), 0),
                side(in.get(3), kernel.get(3), 1))};
    }

    private long side(long size, long kernel, int axis) {
        return (size + 2 * padding.get(axis) - dilation.get(axis) * (kernel - 1) - 1) / stride.get(axis) + 1;
    }

    @Override
    public void saveParameters(DataOutputStream os) {
        throw new UnsupportedOperationException("a network with folded batch norm cannot be saved; bundles hold the "
                + "unfolded network's weights");
    }

    /** The folded weight, {@code [out, in/groups, kh, kw]} (channels-last strides). */
    NDArray weight() {
        return weight;
    }

    /** The folded bias, {@code [out]}. */
    NDArray bias() {
        return bias;
    }
}
