package io.maskstream.synthetic;

import io.maskstream.events.MaskState;
import java.awt.Color;

/**
 * What changes between two photos of the same person: pose, expression, light, camera noise and the mask.
 * Drawn from the photo's own random stream.
 */
final class Photo {

    enum MaskStyle { SURGICAL, KF94, CLOTH, CUP }

    enum Pattern { PLAIN, DOTS, STRIPES, CHECK, FLORAL }

    /** Where an incorrectly worn mask sits. */
    enum Misplacement { BELOW_NOSE, ON_CHIN, NOSE_TIP_OUT }

    private static final Color[] MASK_COLOURS = {new Color(138, 188, 224), new Color(242, 242, 240),
        new Color(34, 34, 38), new Color(150, 150, 156), new Color(236, 172, 188), new Color(42, 56, 96),
        new Color(214, 196, 166), new Color(168, 220, 200), new Color(120, 40, 50), new Color(90, 110, 80)};

    final MaskState maskState;
    final double dx;
    final double dy;
    final double scale;
    final double rotation;
    final double smile;
    final double gazeX;
    final double gazeY;
    final boolean blink;
    final double bgShiftX;
    final double bgShiftY;
    final double lightAngle;
    final double lightStrength;
    final double shadowStrength;
    final double noise;
    final double brightness;
    final double contrast;
    final double warm;
    final double vignette;
    final int jpegQuality;

    final MaskStyle maskStyle;
    final Pattern pattern;
    final Color maskColour;
    final Color patternColour;
    final Misplacement misplacement;
    final double maskSag;

    final long seed;

    Photo(MaskState maskState, Rng r, SyntheticOptions options) {
        this.maskState = maskState;
        dx = r.gaussian(0, 12);
        dy = r.gaussian(0, 10);
        scale = r.uniform(0.86, 1.1);
        rotation = Math.toRadians(r.gaussian(0, 4.5));
        smile = r.uniform(-0.4, 1.0);
        gazeX = r.gaussian(0, 1.5);
        gazeY = r.gaussian(0, 0.8);
        blink = r.chance(0.04);
        bgShiftX = r.gaussian(0, 8);
        bgShiftY = r.gaussian(0, 6);
        lightAngle = r.uniform(0, Math.PI * 2);
        lightStrength = r.uniform(0.0, 0.22);
        shadowStrength = r.uniform(0.0, 0.3);
        noise = r.uniform(2.0, 7.0);
        brightness = r.gaussian(0, 10);
        contrast = r.uniform(0.88, 1.1);
        warm = r.gaussian(0, 0.05);
        vignette = r.uniform(0, 0.25);
        jpegQuality = r.between(options.minJpegQuality(), options.maxJpegQuality());

        maskStyle = MaskStyle.values()[r.weighted(0.45, 0.2, 0.27, 0.08)];
        pattern = maskStyle == MaskStyle.CLOTH ? Pattern.values()[r.weighted(0.4, 0.15, 0.15, 0.15, 0.15)] : Pattern.PLAIN;
        maskColour = maskStyle == MaskStyle.SURGICAL
                ? (r.chance(0.55) ? r.jitter(MASK_COLOURS[0], 10) : r.jitter(r.pick(MASK_COLOURS), 10))
                : maskStyle == MaskStyle.CUP ? r.jitter(MASK_COLOURS[1], 8) : r.jitter(r.pick(MASK_COLOURS), 14);
        patternColour = r.jitter(r.pick(MASK_COLOURS), 30);
        misplacement = Misplacement.values()[r.weighted(0.5, 0.35, 0.15)];
        maskSag = r.uniform(-4, 6);
        seed = r.nextLong();
    }
}
