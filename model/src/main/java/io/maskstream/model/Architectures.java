package io.maskstream.model;

import ai.djl.nn.Block;
import io.maskstream.model.InvalidModelException.Reason;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The networks this build knows, by name. A bundle names its architecture and head layout; together they
 * define the parameter shapes its weights must have.
 */
public final class Architectures {

    /** Standard ResNet-18 with the heads on its 512 pooled features. */
    public static final String RESNET18 = "resnet18";
    /** A small fast CNN for CPUs. */
    public static final String FASTNET = "fastnet";
    /**
     * An imported TorchScript module with our heads on its features ({@link ImportedBackbone}); the bundle carries the
     * fine-tuned module, so this network is built from a bundle or a file, never by name alone.
     */
    public static final String TORCHSCRIPT = "torchscript";
    /** A small fully-convolutional face detector ({@link HeadLayout#FACE_GRID} only); see {@link GridNet}. */
    public static final String GRIDNET = "gridnet";

    /**
     * Not a network: an ensemble bundle's architecture ({@link ModelBundle#ensemble}); its members name theirs.
     * {@link #isKnown} and {@link #names} list networks only; {@link Classifiers#load} serves an ensemble.
     */
    public static final String ENSEMBLE = "ensemble";

    private static final Set<String> NAMES = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(RESNET18, FASTNET,
            GRIDNET, TORCHSCRIPT)));

    static {
        Compute.prepare();
    }

    private Architectures() {
    }

    /** The known architecture names. */
    public static Set<String> names() {
        return NAMES;
    }

    /** Whether this build knows the architecture. */
    public static boolean isKnown(String architecture) {
        return NAMES.contains(architecture);
    }

    /** Whether the name is {@link #ENSEMBLE}: a bundle of member bundles, not a network. */
    public static boolean isEnsemble(String architecture) {
        return ENSEMBLE.equals(architecture);
    }

    /** Whether the architecture is a face detector (its only head layout is {@link HeadLayout#FACE_GRID}). */
    public static boolean isDetector(String architecture) {
        return GRIDNET.equals(architecture);
    }

    /**
     * A new, uninitialised network: initialise it with an input of shape {@code [N, 3, height, width]}.
     *
     * @throws InvalidModelException with {@link InvalidModelException.Reason#UNKNOWN_ARCHITECTURE}, or
     *     {@link InvalidModelException.Reason#SHAPE_MISMATCH} when a detector architecture is paired with a
     *     classifier's head layout or the other way round (such a bundle's outputs would not be what it claims)
     */
    public static Block build(String architecture, HeadLayout layout) throws InvalidModelException {
        if (isEnsemble(architecture)) {
            throw new InvalidModelException(InvalidModelException.Reason.LOAD_FAILED, "\"" + ENSEMBLE + "\" is not a network"
                    + " but a bundle of member networks: load it with Classifiers.load");
        }
        if (isKnown(architecture) && isDetector(architecture) != layout.isDetector()) {
            throw new InvalidModelException(InvalidModelException.Reason.SHAPE_MISMATCH, "architecture \"" + architecture
                    + "\" is a " + (isDetector(architecture) ? "face detector" : "classifier") + " and cannot have head layout "
                    + layout + (isDetector(architecture) ? " (its layout is FACE_GRID)" : " (FACE_GRID is a detector's)"));
        }
        if (GRIDNET.equals(architecture)) {
            return GridNet.build(FaceGrid.CHANNELS);
        }
        return build(architecture, headNames(layout), layout.units());
    }

    /** The names of a classifier layout's heads, in output order: every network's heads, built-in or imported. */
    static String[] headNames(HeadLayout layout) {
        return switch (layout) {
            case MULTI_HEAD -> new String[] {"mask", "gender", "age"};
            case MASK_CONDITIONAL_AGE -> new String[] {"mask", "gender", "ageMasked", "ageUnmasked"};
            default -> new String[] {"classes"};
        };
    }

    /**
     * As {@link #build(String, HeadLayout)}, with dropout at {@code featureDropout} on the pooled features in training
     * (0: none). The parameters are those of the network without it: its bundles load anywhere.
     *
     * @throws IllegalArgumentException if the rate is outside [0, 1) or the network has no classifier heads (a detector)
     */
    public static Block build(String architecture, HeadLayout layout, double featureDropout) throws InvalidModelException {
        return withFeatureDropout(build(architecture, layout), featureDropout, "architecture \"" + architecture + "\"");
    }

    /**
     * {@code network} with training dropout at {@code featureDropout} on the features before its heads (any network on
     * our heads, an imported backbone's too); 0 leaves it as it is.
     *
     * @throws IllegalArgumentException when the network has no classifier heads, or the rate is outside [0, 1)
     */
    public static Block withFeatureDropout(Block network, double featureDropout, String what) {
        if (featureDropout != 0) {
            Networks.Heads heads = Networks.heads(network);
            if (heads == null) {
                throw new IllegalArgumentException(what + " has no classifier heads to put dropout before");
            }
            heads.featureDropout((float) featureDropout);
        }
        return network;
    }

    /** Whether the network has classifier heads that MC-dropout can sample ({@link McDropout}). */
    static boolean sampleable(Block block) {
        return Networks.heads(block) != null;
    }

    static Block build(String architecture, String[] headNames, int[] headUnits) throws InvalidModelException {
        if (RESNET18.equals(architecture)) {
            return Networks.resnet18(headNames, headUnits);
        }
        if (FASTNET.equals(architecture)) {
            return Networks.fastnet(headNames, headUnits);
        }
        if (TORCHSCRIPT.equals(architecture)) {
            throw new InvalidModelException(Reason.LOAD_FAILED, "architecture \"" + TORCHSCRIPT + "\" is an imported "
                    + "module with heads: it is built from its bundle's " + ModelBundle.BACKBONE_ENTRY + " or from a file "
                    + "(ImportedBackbone.network), not by name");
        }
        throw new InvalidModelException(InvalidModelException.Reason.UNKNOWN_ARCHITECTURE,
                "unknown architecture \"" + architecture + "\"; this build knows " + NAMES);
    }

    /**
     * The default input of an architecture. The two classifiers keep the 3:4 (width:height) aspect of the 384×512
     * competition photos, so such a photo is only scaled (other aspects are centre-cropped, never
     * stretched; see {@link ImagePreprocessor}). fastnet takes 96×128 (a 4×
     * reduction: faces still span ~60 px, enough for mask/gender/age, and the JPEG can be decoded at half
     * scale). resnet18 takes 192×256, the same pixel count as its usual 224×224, at the photos' aspect.
     * Both normalise with ImageNet's mean and std, as does an imported backbone (what torchvision's and most of timm's
     * ImageNet weights expect), whose default input is resnet18's (its file may ask for another size). gridnet, a detector, takes whole frames letterboxed to 256×192:
     * 640×480 camera frames scaled by 0.4 without padding, their 40–190 px faces 16–76 px at its input.
     *
     * @throws IllegalArgumentException for an unknown architecture
     */
    public static InputSpec defaultInput(String architecture) {
        if (RESNET18.equals(architecture) || TORCHSCRIPT.equals(architecture)) {
            return InputSpec.imagenet(192, 256);
        }
        if (FASTNET.equals(architecture)) {
            return InputSpec.imagenet(96, 128);
        }
        if (GRIDNET.equals(architecture)) {
            return InputSpec.imagenet(GridNet.DEFAULT_WIDTH, GridNet.DEFAULT_HEIGHT);
        }
        throw new IllegalArgumentException("unknown architecture \"" + architecture + "\"; this build knows " + NAMES);
    }
}
