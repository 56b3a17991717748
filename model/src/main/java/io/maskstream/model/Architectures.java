package io.maskstream.model;

import ai.djl.nn.Block;
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
    /** A small fully-convolutional face detector ({@link HeadLayout#FACE_GRID} only); see {@link GridNet}. */
    public static final String GRIDNET = "gridnet";

    private static final Set<String> NAMES = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(RESNET18, FASTNET,
            GRIDNET)));

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
        if (isKnown(architecture) && isDetector(architecture) != layout.isDetector()) {
            throw new InvalidModelException(InvalidModelException.Reason.SHAPE_MISMATCH, "architecture \"" + architecture
                    + "\" is a " + (isDetector(architecture) ? "face detector" : "classifier") + " and cannot have head layout "
                    + layout + (isDetector(architecture) ? " (its layout is FACE_GRID)" : " (FACE_GRID is a detector's)"));
        }
        if (GRIDNET.equals(architecture)) {
            return GridNet.build(FaceGrid.CHANNELS);
        }
        String[] names = switch (layout) {
            case MULTI_HEAD -> new String[] {"mask", "gender", "age"};
            case MASK_CONDITIONAL_AGE -> new String[] {"mask", "gender", "ageMasked", "ageUnmasked"};
            default -> new String[] {"classes"};
        };
        return build(architecture, names, layout.units());
    }

    static Block build(String architecture, String[] headNames, int[] headUnits) throws InvalidModelException {
        if (RESNET18.equals(architecture)) {
            return Networks.resnet18(headNames, headUnits);
        }
        if (FASTNET.equals(architecture)) {
            return Networks.fastnet(headNames, headUnits);
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
     * Both normalise with ImageNet's mean and std. gridnet, a detector, takes whole frames letterboxed to 256×192:
     * 640×480 camera frames scaled by 0.4 without padding, their 40–190 px faces 16–76 px at its input.
     *
     * @throws IllegalArgumentException for an unknown architecture
     */
    public static InputSpec defaultInput(String architecture) {
        if (RESNET18.equals(architecture)) {
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
