package io.maskstream.trainer;

import io.maskstream.model.PreparedImage;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Random;

/**
 * Training-time augmentation on prepared images (network input size, RGB bytes): horizontal flip, a small
 * random shift / scale / rotation (which also acts as a random crop), and brightness, contrast and per-channel
 * ("hue") jitter. Geometry is one Java2D affine draw, colour one pass over the bytes; no per-pixel calls.
 * Serving never augments; the preprocessing before it is the model module's, shared with serving.
 *
 * <p>{@code strength} ({@code trainer.augment.strength}) scales every range (shift, scale, rotation, contrast,
 * brightness, gains); the random draws are the same at any strength, so 1.0 is exactly the unscaled augmentation
 * and 0 leaves only the flips.
 */
final class Augmenter {

    private final Random random;
    private final double strength;

    Augmenter(long seed) {
        this(seed, 1.0);
    }

    Augmenter(long seed, double strength) {
        if (!(strength >= 0) || Double.isInfinite(strength)) {
            throw new IllegalArgumentException("augmentation strength must be finite and >= 0, got " + strength);
        }
        this.random = new Random(seed);
        this.strength = strength;
    }

    PreparedImage apply(PreparedImage in) {
        int w = in.width();
        int h = in.height();
        byte[] src = in.rgb();
        byte[] out;
        if (random.nextDouble() < 0.8) {
            out = geometry(src, w, h, random.nextBoolean(), (random.nextDouble() * 2 - 1) * 0.08 * strength * w,
                    (random.nextDouble() * 2 - 1) * 0.08 * strength * h,
                    1 - 0.08 * strength + random.nextDouble() * 0.16 * strength,
                    Math.toRadians((random.nextDouble() * 2 - 1) * 10 * strength));
        } else if (random.nextBoolean()) {
            out = flip(src, w, h);
        } else {
            out = src.clone();
        }
        if (random.nextDouble() < 0.8) {
            double g = 0.06 * strength;
            colour(out, 1 + (random.nextDouble() * 2 - 1) * 0.25 * strength, (random.nextDouble() * 2 - 1) * 25 * strength,
                    new double[] {1 + (random.nextDouble() * 2 - 1) * g, 1 + (random.nextDouble() * 2 - 1) * g,
                        1 + (random.nextDouble() * 2 - 1) * g});
        }
        return new PreparedImage(w, h, out, in.sourceWidth(), in.sourceHeight());
    }

    static byte[] flip(byte[] src, int w, int h) {
        byte[] out = new byte[src.length];
        for (int y = 0; y < h; y++) {
            int row = y * w * 3;
            for (int x = 0; x < w; x++) {
                int s = row + x * 3;
                int d = row + (w - 1 - x) * 3;
                out[d] = src[s];
                out[d + 1] = src[s + 1];
                out[d + 2] = src[s + 2];
            }
        }
        return out;
    }

    /** Flip, then scale and rotate about the centre, then shift; uncovered corners take a neutral grey. */
    static byte[] geometry(byte[] src, int w, int h, boolean flip, double dx, double dy, double scale, double angle) {
        // TYPE_3BYTE_BGR just holds 3 bytes per pixel; geometry does not care which channel is which.
        BufferedImage in = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        System.arraycopy(flip ? flip(src, w, h) : src, 0, ((DataBufferByte) in.getRaster().getDataBuffer()).getData(), 0,
                src.length);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        AffineTransform t = new AffineTransform();
        t.translate(w / 2.0 + dx, h / 2.0 + dy);
        t.rotate(angle);
        t.scale(scale, scale);
        t.translate(-w / 2.0, -h / 2.0);
        g.drawImage(in, t, null);
        g.dispose();
        return ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    }

    /** v' = (v - 128) * contrast + 128 + brightness, per channel times a small gain; clamped. */
    static void colour(byte[] px, double contrast, double brightness, double[] gains) {
        int[][] lut = new int[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = Math.max(0, Math.min(255, (int) Math.round(((v - 128) * contrast + 128 + brightness) * gains[c])));
            }
        }
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) lut[i % 3][px[i] & 0xff];
        }
    }
}
