package io.maskstream.trainer;

import io.maskstream.evaluation.metrics.DetectionMetrics.Truth;
import io.maskstream.model.Box;
import io.maskstream.model.DecodedImage;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Stand-in scenes for the detector's machinery tests: 640×480 frames of gradient and noise with a few distractor
 * shapes and 0–4 skin-coloured face ellipses 40–190 px wide, half of them with a blue mask over the lower half
 * (key "worn", else "none"). Each face's box is its ellipse's bounding box.
 */
final class EllipseScenes {

    private EllipseScenes() {
    }

    static List<LabeledScene> of(int frames, long seed) {
        Random random = new Random(seed);
        List<LabeledScene> out = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++) {
            out.add(scene(random));
        }
        return out;
    }

    private static LabeledScene scene(Random random) {
        int width = 640;
        int height = 480;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, colour(random), width, height, colour(random)));
        g.fillRect(0, 0, width, height);
        for (int k = 0; k < 4; k++) {
            g.setColor(colour(random));
            int w = 20 + random.nextInt(200);
            int h = 20 + random.nextInt(200);
            if (random.nextBoolean()) {
                g.fillRect(random.nextInt(width), random.nextInt(height), w, h);
            } else {
                g.fillOval(random.nextInt(width), random.nextInt(height), w, h);
            }
        }
        int people = random.nextInt(5);
        List<Truth> faces = new ArrayList<>();
        for (int p = 0; p < people; p++) {
            int w = 40 + random.nextInt(151);
            int h = (int) (w * (1.15 + random.nextDouble() * 0.2));
            int x = random.nextInt(width - w);
            int y = random.nextInt(height - h);
            Box box = new Box(x, y, w, h);
            boolean overlaps = false;
            for (Truth t : faces) {
                overlaps |= t.box().iou(box) > 0;
            }
            if (overlaps) {
                continue;
            }
            int tone = 150 + random.nextInt(90);
            g.setColor(new Color(tone, (int) (tone * 0.75), (int) (tone * 0.6)));
            g.fillOval(x, y, w, h);
            g.setColor(new Color(30, 30, 40));
            g.fillOval(x + w * 3 / 10 - w / 16, y + h * 2 / 5, w / 8, h / 14);
            g.fillOval(x + w * 7 / 10 - w / 16, y + h * 2 / 5, w / 8, h / 14);
            boolean masked = random.nextBoolean();
            if (masked) {
                g.setColor(new Color(80 + random.nextInt(40), 150 + random.nextInt(60), 220));
                g.fillRoundRect(x + w / 8, y + h * 11 / 20, w * 3 / 4, h * 3 / 10, w / 5, w / 5);
            } else {
                g.setColor(new Color(150, 60, 60));
                g.fillOval(x + w * 3 / 8, y + h * 7 / 10, w / 4, h / 12);
            }
            faces.add(new Truth(box, masked ? "worn" : "none"));
        }
        g.dispose();
        byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xFF) + random.nextInt(25) - 12));
        }
        return new LabeledScene(new DecodedImage(image), faces);
    }

    private static Color colour(Random random) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
    }
}
