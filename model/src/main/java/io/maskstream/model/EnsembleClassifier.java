package io.maskstream.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An ensemble served as one model: every member runs one batched forward pass over the same batch, and their
 * predictions are combined per image by the bundle's {@link EnsembleVote}. Every combined prediction carries the
 * members' {@link Uncertainty} ({@link Uncertainty#ENSEMBLE}).
 *
 * <p>Images are prepared once, by {@link #preprocessor()}, at the ensemble's input (its largest member's). A member
 * taking another input size gets the batch resized to it here, bilinearly on the prepared pixels (at an exact halving,
 * as from resnet18's 192×256 to fastnet's 96×128, that is the mean of each 2×2 block): one decode per image
 * whatever the members, at the cost of a second resize for the smaller members, which therefore see slightly softer
 * pixels than their own preprocessing would give. Each member normalises with its own mean and std.
 *
 * <p>Invariants: loaded only if every member loads (a member that fails closes those already loaded and refuses the
 * whole ensemble, naming the member); members run one after another on the caller's thread (on a CPU the members'
 * own intra-op threads are the parallelism; a pass is one forward per member); {@link #classify} may be called from
 * several threads at once; {@link #close()} waits for passes in flight, then closes every member, and later calls fail
 * cleanly.
 */
public final class EnsembleClassifier implements BatchClassifier {

    private final BundleMetadata metadata;
    private final EnsembleVote vote;
    private final List<BatchClassifier> members;
    private final ImagePreprocessor preprocessor;
    private final NativeLifecycle lifecycle;

    /**
     * An ensemble of already loaded members (it owns them from now on: {@link #close()} closes them).
     *
     * @throws IllegalArgumentException for fewer than 2 members or a member that is a face detector
     */
    EnsembleClassifier(BundleMetadata metadata, EnsembleVote vote, List<? extends BatchClassifier> members,
                       ImageLimits limits) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.vote = Objects.requireNonNull(vote, "vote");
        if (members.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least 2 members, got " + members.size());
        }
        this.members = List.copyOf(members);
        this.preprocessor = new ImagePreprocessor(metadata.input(), limits);
        this.lifecycle = new NativeLifecycle("ensemble " + metadata.version());
    }

    /** Loads every member of an ensemble bundle ({@link Classifiers#load} calls this). */
    static EnsembleClassifier load(ModelBundle bundle, ComputeSettings settings, ImageLimits limits)
            throws InvalidModelException {
        if (!bundle.isEnsemble()) {
            throw new IllegalArgumentException("model " + bundle.metadata().version() + " is a network, not an ensemble");
        }
        List<Classifier> loaded = new ArrayList<>();
        boolean ok = false;
        try {
            List<ModelBundle> members = bundle.members();
            for (int i = 0; i < members.size(); i++) {
                try {
                    loaded.add(Classifier.load(members.get(i), settings, limits));
                } catch (InvalidModelException e) {
                    throw new InvalidModelException(e.reason(), "ensemble " + bundle.metadata().version() + ": member " + i
                            + " (" + members.get(i).metadata().version() + ") cannot serve: " + e.getMessage(), e);
                }
            }
            EnsembleClassifier ensemble = new EnsembleClassifier(bundle.metadata(), bundle.vote().orElseThrow(), loaded,
                    limits);
            ok = true;
            return ensemble;
        } finally {
            if (!ok) {
                loaded.forEach(Classifier::close);
            }
        }
    }

    @Override
    public String version() {
        return metadata.version();
    }

    @Override
    public BundleMetadata metadata() {
        return metadata;
    }

    @Override
    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** The vote. */
    public EnsembleVote vote() {
        return vote;
    }

    /** The members' versions, in member order. */
    public List<String> memberVersions() {
        return members.stream().map(BatchClassifier::version).toList();
    }

    /**
     * One combined prediction per image, in order: each member's batched pass (with {@code flipTta}, each member
     * averages the mirrored image first), then the vote.
     *
     * @throws IllegalStateException after {@link #close()}, or when a member's pass fails (the whole batch fails)
     * @throws IllegalArgumentException if an image is not of this ensemble's input size
     */
    @Override
    public List<Prediction> classify(List<PreparedImage> images, boolean flipTta) {
        if (images.isEmpty()) {
            return List.of();
        }
        InputSpec input = metadata.input();
        for (PreparedImage image : images) {
            if (image.width() != input.width() || image.height() != input.height()) {
                throw new IllegalArgumentException("ensemble " + metadata.version() + " takes " + input.width() + "x"
                        + input.height() + " images, got " + image);
            }
        }
        return lifecycle.use(() -> {
            Map<Long, List<PreparedImage>> resized = new HashMap<>();
            List<List<Prediction>> perMember = new ArrayList<>(members.size());
            for (BatchClassifier member : members) {
                InputSpec in = member.metadata().input();
                List<PreparedImage> batch = in.width() == input.width() && in.height() == input.height() ? images
                        : resized.computeIfAbsent(((long) in.width() << 32) | in.height(),
                        k -> resize(images, in.width(), in.height()));
                perMember.add(member.classify(batch, flipTta));
            }
            List<Prediction> combined = new ArrayList<>(images.size());
            List<Prediction> passes = new ArrayList<>(members.size());
            for (int i = 0; i < images.size(); i++) {
                passes.clear();
                for (List<Prediction> m : perMember) {
                    passes.add(m.get(i));
                }
                Prediction p = combine(vote, passes, metadata.heads());
                combined.add(p.withUncertainty(Uncertainty.of(Uncertainty.ENSEMBLE, passes, p)));
            }
            return combined;
        });
    }

    /**
     * The vote over one image's member predictions (see {@link EnsembleVote}); {@code heads} is the ensemble's layout
     * ({@link HeadLayout#MULTI_HEAD} only for a soft vote of multi-head members).
     */
    static Prediction combine(EnsembleVote vote, List<Prediction> passes, HeadLayout heads) {
        int n = passes.size();
        if (vote == EnsembleVote.SOFT && heads == HeadLayout.MULTI_HEAD) {
            float[] mask = new float[3];
            float[] gender = new float[2];
            float[] age = new float[3];
            for (Prediction p : passes) {
                add(mask, p.mask(), n);
                add(gender, p.gender(), n);
                add(age, p.age(), n);
            }
            return Outputs.fromHeads(mask, gender, age);
        }
        float[] soft = new float[LabelCodec.CLASSES];
        for (Prediction p : passes) {
            add(soft, p.classes(), n);
        }
        if (vote == EnsembleVote.SOFT) {
            return Outputs.fromClasses(soft);
        }
        float[] share = new float[LabelCodec.CLASSES];
        for (Prediction p : passes) {
            share[p.classCode()] += 1f;
        }
        for (int c = 0; c < share.length; c++) {
            share[c] = (share[c] + 0.5f * soft[c]) / (n + 0.5f);
        }
        return Outputs.fromClasses(share);
    }

    private static void add(float[] sum, float[] values, int n) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i] / n;
        }
    }

    /**
     * The images resized to {@code width × height}: bilinear with pixel centres aligned (at an exact halving, the mean
     * of each 2×2 block).
     */
    static List<PreparedImage> resize(List<PreparedImage> images, int width, int height) {
        List<PreparedImage> out = new ArrayList<>(images.size());
        for (PreparedImage image : images) {
            out.add(resize(image, width, height));
        }
        return out;
    }

    static PreparedImage resize(PreparedImage image, int width, int height) {
        int sw = image.width();
        int sh = image.height();
        byte[] src = image.rgb();
        byte[] dst = new byte[width * height * 3];
        double fx = (double) sw / width;
        double fy = (double) sh / height;
        int at = 0;
        for (int y = 0; y < height; y++) {
            double sy = Math.max(0, Math.min(sh - 1, (y + 0.5) * fy - 0.5));
            int y0 = (int) sy;
            int y1 = Math.min(sh - 1, y0 + 1);
            double wy = sy - y0;
            for (int x = 0; x < width; x++) {
                double sx = Math.max(0, Math.min(sw - 1, (x + 0.5) * fx - 0.5));
                int x0 = (int) sx;
                int x1 = Math.min(sw - 1, x0 + 1);
                double wx = sx - x0;
                for (int c = 0; c < 3; c++) {
                    double top = (src[(y0 * sw + x0) * 3 + c] & 0xFF) * (1 - wx) + (src[(y0 * sw + x1) * 3 + c] & 0xFF) * wx;
                    double bottom = (src[(y1 * sw + x0) * 3 + c] & 0xFF) * (1 - wx) + (src[(y1 * sw + x1) * 3 + c] & 0xFF) * wx;
                    dst[at++] = (byte) Math.round(top * (1 - wy) + bottom * wy);
                }
            }
        }
        return new PreparedImage(width, height, dst, image.sourceWidth(), image.sourceHeight());
    }

    /** Waits for passes in flight, then closes every member. */
    @Override
    public void close() {
        lifecycle.close(() -> members.forEach(BatchClassifier::close));
    }

    @Override
    public String toString() {
        return "EnsembleClassifier[" + metadata.version() + ", " + vote.label() + " vote of " + memberVersions() + "]";
    }
}
