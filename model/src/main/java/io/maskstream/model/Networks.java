package io.maskstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The network definitions, built from a few named blocks so that parameter names read like
 * {@code 02stage1_01block1_01main_01Conv2d_weight} in error messages.
 *
 * <p>All convolutions are followed by batch norm (so they carry no bias). Batch norm uses batch
 * statistics only when {@code training} is true; inference ({@code training=false}) uses the running
 * statistics saved with the weights.
 */
final class Networks {

    /** Every batch norm's epsilon (PyTorch's default); {@link BatchNormFolding} relies on it. */
    static final float BATCH_NORM_EPSILON = 1e-5f;

    private Networks() {
    }

    /**
     * Standard ResNet-18 (He et al. 2015, as torchvision): 7×7/2 conv 64, 3×3/2 max pool, four stages of
     * two basic blocks at 64/128/256/512 filters, the first block of stages 2–4 downsampling with stride 2
     * and a 1×1/2 projection shortcut, global average pool, then the heads. 11,176,512 backbone parameters
     * (not counting batch-norm running statistics). DJL's ResNetV1 is not this network: it drops the
     * 7×7/2 stem and the max pool, so its feature maps are 4× larger per side for the same input.
     */
    static Block resnet18(String[] headNames, int[] headUnits) {
        Chain stem = new Chain()
                .add("conv", conv(64, 7, 2, 3))
                .add("bn", batchNorm())
                .add("relu", Activation.reluBlock())
                .add("maxpool", Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        Chain net = new Chain().add("stem", stem);
        int[] filters = {64, 128, 256, 512};
        for (int s = 0; s < filters.length; s++) {
            int stride = s == 0 ? 1 : 2;
            net.add("stage" + (s + 1), new Chain()
                    .add("block1", new BasicBlock(filters[s], stride, stride != 1))
                    .add("block2", new BasicBlock(filters[s], 1, false)));
        }
        return net.add("pool", globalPool()).add("heads", new Heads(headNames, headUnits));
    }

    /**
     * A small plain CNN for CPUs: a 3×3/2 stem of 24 filters, three stages of (3×3/2 conv, 3×3 conv) at
     * 32/64/128 filters, global average pool, heads. At 96×128 input that is about 35 M multiply-adds
     * per image (ResNet-18 at 192×256 is about 1.8 G), so it trains on a few thousand photos on two CPU
     * cores in minutes and classifies hundreds of frames per second.
     */
    static Block fastnet(String[] headNames, int[] headUnits) {
        Chain net = new Chain().add("stem", convBnRelu(24, 2));
        int[] filters = {32, 64, 128};
        for (int s = 0; s < filters.length; s++) {
            net.add("stage" + (s + 1), new Chain()
                    .add("down", convBnRelu(filters[s], 2))
                    .add("conv", convBnRelu(filters[s], 1)));
        }
        return net.add("pool", globalPool()).add("heads", new Heads(headNames, headUnits));
    }

    /**
     * An imported TorchScript module (see {@link ImportedBackbone}) with the heads on its features: global average
     * pool when it gives {@code [N, C, h, w]}, as is when it gives {@code [N, C]}.
     */
    static Imported imported(PtSymbolBlock module, int features, String[] headNames, int[] headUnits) {
        return new Imported(module, features, headNames, headUnits);
    }

    private static Chain convBnRelu(int filters, int stride) {
        return new Chain()
                .add("conv", conv(filters, 3, stride, 1))
                .add("bn", batchNorm())
                .add("relu", Activation.reluBlock());
    }

    static Block conv(int filters, int kernel, int stride, int padding) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .setFilters(filters)
                .optBias(false)
                .build();
    }

    static Block batchNorm() {
        // PyTorch's defaults: eps 1e-5; DJL's momentum 0.9 keeps 90% of the running statistic per batch,
        // which is PyTorch's momentum 0.1.
        return BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).optMomentum(0.9f).build();
    }

    private static Chain globalPool() {
        return new Chain().add("avg", Pool.globalAvgPool2dBlock()).add("flatten", Blocks.batchFlattenBlock());
    }

    /** Children run one after another; like DJL's SequentialBlock, but with names. */
    static final class Chain extends AbstractBlock {

        Chain() {
            super((byte) 1);
        }

        Chain add(String name, Block block) {
            addChildBlock(name, block);
            return this;
        }

        /**
         * Puts {@code replacement} in place of the {@code count} children from {@code index}, under the first one's
         * name, and returns the children removed (for {@link #restore}). Serving-time rewrites only
         * ({@link BatchNormFolding}): the chain's parameters change, so its weights no longer fit a bundle.
         */
        List<Pair<String, Block>> replace(int index, int count, Block replacement) {
            List<Pair<String, Block>> removed = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                removed.add(children.get(index));
                children.remove(index);
            }
            children.add(index, removed.get(0).getKey(), replacement);
            return removed;
        }

        /** Undoes {@link #replace}: {@code removed} goes back where the replacement at {@code index} is. */
        void restore(int index, List<Pair<String, Block>> removed) {
            children.remove(index);
            for (int i = 0; i < removed.size(); i++) {
                children.add(index + i, removed.get(i).getKey(), removed.get(i).getValue());
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDList current = inputs;
            for (Block child : children.values()) {
                current = child.forward(store, current, training, params);
            }
            return current;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] shapes = inputShapes;
            for (Block child : children.values()) {
                shapes = child.getOutputShapes(shapes);
            }
            return shapes;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape[] shapes = inputShapes;
            for (Block child : children.values()) {
                child.initialize(manager, dataType, shapes);
                shapes = child.getOutputShapes(shapes);
            }
        }
    }

    /** ResNet's basic block: relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x)). */
    static final class BasicBlock extends AbstractBlock {

        private final Block main;
        private final Block shortcut;

        BasicBlock(int filters, int stride, boolean project) {
            super((byte) 1);
            main = addChildBlock("main", new Chain()
                    .add("conv1", conv(filters, 3, stride, 1))
                    .add("bn1", batchNorm())
                    .add("relu", Activation.reluBlock())
                    .add("conv2", conv(filters, 3, 1, 1))
                    .add("bn2", batchNorm()));
            shortcut = project
                    ? addChildBlock("shortcut", new Chain().add("conv", conv(filters, 1, stride, 0)).add("bn", batchNorm()))
                    : null;
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray residual = main.forward(store, inputs, training, params).singletonOrThrow();
            NDArray identity = shortcut == null
                    ? inputs.singletonOrThrow()
                    : shortcut.forward(store, inputs, training, params).singletonOrThrow();
            return new NDList(Activation.relu(residual.add(identity)));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return main.getOutputShapes(inputShapes);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            main.initialize(manager, dataType, inputShapes);
            if (shortcut != null) {
                shortcut.initialize(manager, dataType, inputShapes);
            }
        }
    }

    /**
     * The first {@link Heads} in {@code block}'s tree (depth first), or null when it has none (a detector). Dropout
     * lives there, so any network built on our heads (an imported backbone too) gets training dropout and MC-dropout.
     */
    static Heads heads(Block block) {
        if (block instanceof Heads h) {
            return h;
        }
        for (Block child : block.getChildren().values()) {
            Heads h = heads(child);
            if (h != null) {
                return h;
            }
        }
        return null;
    }

    /**
     * Linear heads side by side on the same features; one output per head, in order.
     *
     * <p>Dropout on the features is functional (no child block, no parameter), so a network with it has the parameter
     * names and shapes of one without, and every bundle loads into either. In training ({@code training=true}) the
     * features go through dropout at {@link #featureDropout()} (0: none). In any forward whose {@code params} hold a
     * {@link McDropout} under {@link #MC_DROPOUT}, the heads run once per MC pass on masked copies of the features:
     * {@code N} rows in give {@code passes·N} rows out per head, pass-major (row {@code p·N + i} is pass {@code p} of
     * image {@code i}).
     */
    static final class Heads extends AbstractBlock {

        /** The forward-parameter key of a {@link McDropout} (see the class comment). */
        static final String MC_DROPOUT = "maskstream.mc.dropout";

        private float featureDropout;

        Heads(String[] names, int[] units) {
            super((byte) 1);
            if (names.length != units.length) {
                throw new IllegalArgumentException("one name per head");
            }
            for (int i = 0; i < names.length; i++) {
                addChildBlock(names[i], Linear.builder().setUnits(units[i]).build());
            }
        }

        /** The dropout rate on the features in training, in [0, 1). */
        float featureDropout() {
            return featureDropout;
        }

        /** Sets the training dropout rate on the features. */
        void featureDropout(float rate) {
            if (!(rate >= 0 && rate < 1)) {
                throw new IllegalArgumentException("the feature dropout rate must lie in [0, 1), got " + rate);
            }
            featureDropout = rate;
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray features = inputs.singletonOrThrow();
            McDropout mc = params == null ? null : (McDropout) params.get(MC_DROPOUT);
            NDList in = inputs;
            if (mc != null && mc.enabled()) {
                Shape shape = features.getShape();
                int width = Math.toIntExact(shape.get(1));
                NDArray masks = features.getManager().create(mc.masks(width), new Shape(mc.passes(), 1, width));
                in = new NDList(features.expandDims(0).mul(masks).reshape(mc.passes() * shape.get(0), width));
            } else if (training && featureDropout > 0) {
                in = Dropout.dropout(features, featureDropout, true);
            }
            NDList out = new NDList(children.size());
            for (Block head : children.values()) {
                out.add(head.forward(store, in, training, params).singletonOrThrow());
            }
            return out;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] out = new Shape[children.size()];
            int i = 0;
            for (Block head : children.values()) {
                out[i++] = head.getOutputShapes(inputShapes)[0];
            }
            return out;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            for (Block head : children.values()) {
                head.initialize(manager, dataType, inputShapes);
            }
        }
    }

    /**
     * An imported TorchScript module, pooled, then {@link Heads}. Both are children, so a trainer's optimizer updates
     * the module's parameters (they require gradients once the block is initialised) along with the heads'; batch
     * norm inside the module follows {@code training} (DJL switches the module between {@code train()} and
     * {@code eval()}), and in eval mode the module runs without autograd.
     *
     * <p>Invariant: {@link #saveParameters} and {@link #loadParameters} write and read the heads' parameters only,
     * in {@link Heads}' own format: the module travels as a file of its own ({@link #saveModule}, the bundle's
     * {@value ModelBundle#BACKBONE_ENTRY}), which {@code torch.jit.load} reads as well.
     */
    static final class Imported extends AbstractBlock {

        private final PtSymbolBlock module;
        private final int features;
        private final Heads heads;

        private Imported(PtSymbolBlock module, int features, String[] headNames, int[] headUnits) {
            super((byte) 1);
            this.module = addChildBlock("backbone", module);
            this.features = features;
            this.heads = addChildBlock("heads", new Heads(headNames, headUnits));
        }

        /** Features per image the heads see. */
        int features() {
            return features;
        }

        /** The heads, whose parameters are the bundle's weights. */
        Heads heads() {
            return heads;
        }

        /** The module's own parameters (not its buffers: batch-norm statistics live in the module file). */
        List<Pair<String, Parameter>> moduleParameters() {
            List<Pair<String, Parameter>> out = new ArrayList<>();
            module.getDirectParameters().forEach(p -> out.add(new Pair<>(p.getKey(), p.getValue())));
            return out;
        }

        /** The module as TorchScript bytes (its parameters and buffers as they are now), what torch.jit.save writes. */
        byte[] saveModule() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            JniUtils.writeModule(module, out, false);
            return out.toByteArray();
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            NDArray out = module.forward(store, inputs, training, params).singletonOrThrow();
            NDArray pooled = out.getShape().dimension() == 4
                    ? out.reshape(out.getShape().get(0), out.getShape().get(1), -1).mean(new int[] {2}) : out;
            return heads.forward(store, new NDList(pooled), training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return heads.getOutputShapes(new Shape[] {new Shape(inputShapes[0].get(0), features)});
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            // The module's parameters exist already: initialising only marks them as requiring gradients.
            module.initialize(manager, dataType, inputShapes);
            heads.initialize(manager, dataType, new Shape(inputShapes[0].get(0), features));
        }

        @Override
        public void saveParameters(DataOutputStream os) throws IOException {
            heads.saveParameters(os);
        }

        @Override
        public void loadParameters(NDManager manager, DataInputStream is) throws IOException, ai.djl.MalformedModelException {
            heads.loadParameters(manager, is);
        }
    }
}
