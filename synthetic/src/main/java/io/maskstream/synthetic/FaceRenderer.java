package io.maskstream.synthetic;

import io.maskstream.events.MaskState;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * Draws one photo of one person with Java2D. Everything about the face is drawn in "face space": origin between
 * the cheekbones, a face about 200 units wide, y growing downwards (eyes at -12, nose tip at about +45, mouth at
 * +85, chin at +130); the photo's pose maps face space onto the canvas. The renderer holds no state: the same
 * appearance and photo always give the same pixels.
 */
final class FaceRenderer {

    private static final double EYE_Y = -12;
    private static final double MOUTH_Y = 86;
    private static final BasicStroke HAIRLINE = new BasicStroke(1.1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);

    private FaceRenderer() {
    }

    static BufferedImage render(Appearance a, Photo p, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = graphics(img);
        try {
            background(img, g, a, p, width, height);
            double unit = width / 384.0 * 0.92 * p.scale;
            drawPerson(g, a, p, placement(p, width / 2.0 + p.dx * width / 384.0, height * 0.45 + p.dy * width / 384.0,
                    unit));
        } finally {
            g.dispose();
        }
        sensor(img, p);
        return img;
    }

    /** A graphics context on {@code img} with the renderer's hints. */
    static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_SPEED);
        return g;
    }

    /**
     * Face space to canvas pixels for a person whose face-space origin (between the cheekbones) is at
     * {@code (cx, cy)}, drawn at {@code unit} pixels per face unit and tilted by the photo's head rotation.
     */
    static AffineTransform placement(Photo p, double cx, double cy, double unit) {
        AffineTransform t = AffineTransform.getTranslateInstance(cx, cy);
        t.rotate(p.rotation);
        t.scale(unit, unit);
        return t;
    }

    /**
     * Draws the person (hair, torso, neck, ears, face, mask, glasses) into {@code g} at {@code placement}, over
     * whatever is there: no backdrop, no light or sensor noise. The transform of {@code g} is restored.
     */
    static void drawPerson(Graphics2D g, Appearance a, Photo p, AffineTransform placement) {
        AffineTransform canvas = g.getTransform();
        try {
            g.transform(placement);
            Shape face = faceOutline(a);
            if (a.longHair()) {
                backHair(g, a);
            }
            torso(g, a);
            if (a.hair == Appearance.Hair.BOB) {
                bobBack(g, a);
            }
            neck(g, a);
            ears(g, a);
            faceSkin(g, a, face);
            ageMarks(g, a, p, face);
            eyes(g, a, p);
            brows(g, a);
            nose(g, a);
            mouth(g, a, p);
            facialHair(g, a, face);
            if (p.maskState != MaskState.NONE) {
                mask(g, a, p);
            }
            frontHair(g, a);
            if (a.glasses) {
                glasses(g, a);
            }
        } finally {
            g.setTransform(canvas);
        }
    }

    /**
     * A whole standing person, for scenes: the legs and the rest of the body below the portrait's bust (which ends
     * at y = 420), then {@link #drawPerson}. Portraits never show that far down, so they do not draw it.
     */
    static void drawStandingPerson(Graphics2D g, Appearance a, Photo p, AffineTransform placement) {
        AffineTransform canvas = g.getTransform();
        try {
            g.transform(placement);
            double w = a.faceHalfWidth;
            double half = w * (a.gender == io.maskstream.events.Gender.MALE ? 2.5 : 2.25);
            Color trousers = Appearance.shade(a.shirt2, 0.45);
            g.setColor(trousers);
            g.fill(new Rectangle2D.Double(-half * 0.95, 560, half * 0.9, 700));
            g.fill(new Rectangle2D.Double(half * 0.05, 560, half * 0.9, 700));
            g.setColor(Appearance.shade(a.shirt, 0.7));
            g.fill(new Rectangle2D.Double(-half - 30, 400, 2 * half + 60, 190));
        } finally {
            g.setTransform(canvas);
        }
        drawPerson(g, a, p, placement);
    }

    /**
     * Where the ground-truth face box's top edge lies in face space: the forehead line where most hairlines sit
     * (hairlines are drawn between -96 and -82). Fixed, so the box does not depend on the hair style: bangs or a
     * receding hairline leave it where it is.
     */
    static final double FOREHEAD_Y = -90;

    /**
     * The face as a detector should box it, in canvas pixels: the bounds of the face outline from the forehead
     * line ({@link #FOREHEAD_Y}) to the chin and from cheek to cheek (ears and hair excluded), after the head's
     * tilt, not clipped.
     */
    static Rectangle2D faceBox(Appearance a, AffineTransform placement) {
        return placement.createTransformedShape(faceRegion(a)).getBounds2D();
    }

    /** The face outline below the forehead line, in face space. */
    static Area faceRegion(Appearance a) {
        Area face = new Area(faceOutline(a));
        face.intersect(new Area(new Rectangle2D.Double(-400, FOREHEAD_Y, 800, 400)));
        return face;
    }

    /** Roughly what a standing person hides of whatever is behind them, in canvas pixels: head with hair, body, legs. */
    static Area silhouette(Appearance a, AffineTransform placement) {
        Area s = new Area(torsoShape(a));
        s.add(new Area(faceOutline(a)));
        double hw = a.faceHalfWidth + a.hairVolume * 0.7;
        double top = a.crownY - a.hairVolume;
        s.add(new Area(new Ellipse2D.Double(-hw, top, hw * 2, (a.chinY - top) * 0.75)));
        s.add(new Area(new Rectangle2D.Double(-a.faceHalfWidth * 0.5, 0, a.faceHalfWidth, a.chinY + 60)));
        double half = a.faceHalfWidth * (a.gender == io.maskstream.events.Gender.MALE ? 2.5 : 2.25);
        s.add(new Area(new Rectangle2D.Double(-half - 30, 400, 2 * half + 60, 860)));
        return s.createTransformedArea(placement);
    }

    // ---------------------------------------------------------------- background and body

    /** The room of {@code a} behind the person, shifted by the photo's framing, over the whole canvas. */
    static void background(BufferedImage img, Graphics2D g, Appearance a, Photo p, int w, int h) {
        AffineTransform t = g.getTransform();
        double shiftY = p.bgShiftY * w / 384.0;
        wallGradient(img, Appearance.shade(a.wall, 1.06), Appearance.shade(a.wall, 0.82), shiftY);
        g.translate(p.bgShiftX * w / 384.0, shiftY);
        double W = w + 40;
        double H = h + 40;
        Rng r = new Rng(a.spotSeed ^ 0x5EEDL);
        switch (a.backdrop) {
            case DOOR -> {
                double x = r.chance(0.5) ? r.uniform(-10, w * 0.2) : r.uniform(w * 0.6, w * 0.8);
                g.setColor(Appearance.shade(a.wall2, 0.9));
                g.fill(new Rectangle2D.Double(x, h * 0.08, w * 0.32, h));
                g.setColor(Appearance.shade(a.wall2, 0.7));
                g.setStroke(new BasicStroke(w / 60f));
                g.draw(new Rectangle2D.Double(x, h * 0.08, w * 0.32, h));
                g.setColor(new Color(200, 180, 110));
                g.fill(new Ellipse2D.Double(x + w * 0.27, h * 0.55, w / 40.0, w / 40.0));
            }
            case SHELF -> {
                double y = h * r.uniform(0.12, 0.3);
                for (int shelf = 0; shelf < 3; shelf++) {
                    double sy = y + shelf * h * 0.2;
                    g.setColor(Appearance.shade(a.wall2, 0.55));
                    g.fill(new Rectangle2D.Double(-20, sy, W, h * 0.02));
                    double x = -10;
                    while (x < w) {
                        double bw = w * r.uniform(0.02, 0.05);
                        double bh = h * r.uniform(0.09, 0.16);
                        g.setColor(r.jitter(r.chance(0.5) ? a.accent : a.wall2, 60));
                        g.fill(new Rectangle2D.Double(x, sy - bh, bw, bh));
                        x += bw + r.uniform(0, w * 0.012);
                    }
                }
            }
            case OUTDOOR -> {
                g.setPaint(new GradientPaint(0, 0, new Color(150, 190, 235), 0, (float) (h * 0.5), new Color(220, 232, 240)));
                g.fill(new Rectangle2D.Double(-20, -20, W, h * 0.55 + 20));
                for (int i = 0; i < 14; i++) {
                    g.setColor(r.jitter(new Color(70, 120, 60), 30));
                    double rr = w * r.uniform(0.08, 0.2);
                    g.fill(new Ellipse2D.Double(r.uniform(-40, w), h * r.uniform(0.38, 0.6) - rr, rr * 2, rr * 2));
                }
                g.setColor(r.jitter(new Color(150, 140, 130), 20));
                g.fill(new Rectangle2D.Double(-20, h * 0.62, W, h));
            }
            case BOKEH -> {
                for (int i = 0; i < 16; i++) {
                    g.setColor(Appearance.alpha(r.jitter(r.chance(0.5) ? a.accent : Color.WHITE, 40), r.uniform(0.12, 0.35)));
                    double rr = w * r.uniform(0.03, 0.12);
                    g.fill(new Ellipse2D.Double(r.uniform(-20, w), r.uniform(-20, h), rr * 2, rr * 2));
                }
            }
            case STUDIO -> {
                g.setPaint(new RadialGradientPaint(new Point2D.Double(w * 0.5, h * 0.4), (float) (w * 0.8),
                        new float[] {0f, 1f}, new Color[] {Appearance.shade(a.wall, 1.15), Appearance.shade(a.wall, 0.7)}));
                g.fill(new Rectangle2D.Double(-20, -20, W, H));
            }
            default -> {
                g.setColor(Appearance.shade(a.wall, 0.75));
                g.fill(new Rectangle2D.Double(-20, h * r.uniform(0.7, 0.8), W, h * 0.01));
            }
        }
        g.setTransform(t);
    }

    /** A vertical wall gradient written straight into the pixels: every row is one colour, so no paint is needed. */
    private static void wallGradient(BufferedImage img, Color top, Color bottom, double shiftY) {
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData(); // B, G, R
        int w = img.getWidth();
        int h = img.getHeight();
        double span = h + 40;
        for (int y = 0; y < h; y++) {
            double f = Math.min(1, Math.max(0, (y - shiftY + 20) / span));
            byte r = (byte) (top.getRed() + (bottom.getRed() - top.getRed()) * f);
            byte gr = (byte) (top.getGreen() + (bottom.getGreen() - top.getGreen()) * f);
            byte b = (byte) (top.getBlue() + (bottom.getBlue() - top.getBlue()) * f);
            int i = y * w * 3;
            for (int x = 0; x < w; x++, i += 3) {
                px[i] = b;
                px[i + 1] = gr;
                px[i + 2] = r;
            }
        }
    }

    /** The body below the neck, in face space: shoulders, then straight down to y = 420. */
    private static Path2D torsoShape(Appearance a) {
        double w = a.faceHalfWidth;
        double shoulderY = a.chinY + 62;
        double half = w * (a.gender == io.maskstream.events.Gender.MALE ? 2.5 : 2.25);
        Path2D body = new Path2D.Double();
        body.moveTo(-half - 30, 420);
        body.lineTo(-half, shoulderY + 70);
        body.curveTo(-half + 10, shoulderY + 10, -w * 1.2, shoulderY - 8, -w * 0.5, shoulderY - 18);
        body.lineTo(w * 0.5, shoulderY - 18);
        body.curveTo(w * 1.2, shoulderY - 8, half - 10, shoulderY + 10, half, shoulderY + 70);
        body.lineTo(half + 30, 420);
        body.closePath();
        return body;
    }

    private static void torso(Graphics2D g, Appearance a) {
        double w = a.faceHalfWidth;
        double shoulderY = a.chinY + 62;
        Path2D body = torsoShape(a);
        g.setPaint(new GradientPaint(0, (float) shoulderY, Appearance.shade(a.shirt, 1.05), 0, 400f,
                Appearance.shade(a.shirt, 0.7)));
        g.fill(body);
        Shape oldClip = g.getClip();
        g.clip(body);
        switch (a.shirtStyle) {
            case 1 -> { // stripes
                g.setColor(Appearance.alpha(a.shirt2, 0.75));
                for (double y = shoulderY - 20; y < 420; y += 22) {
                    g.fill(new Rectangle2D.Double(-400, y, 800, 8));
                }
            }
            case 2 -> { // collar
                g.setColor(Appearance.shade(a.shirt2, 1.1));
                Path2D l = new Path2D.Double();
                l.moveTo(-w * 0.5, shoulderY - 18);
                l.lineTo(-w * 0.05, shoulderY + 50);
                l.lineTo(-w * 0.75, shoulderY + 20);
                l.closePath();
                g.fill(l);
                g.fill(AffineTransform.getScaleInstance(-1, 1).createTransformedShape(l));
            }
            case 3 -> { // hoodie strings
                g.setColor(Appearance.shade(a.shirt, 0.6));
                g.setStroke(new BasicStroke(10f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(new Ellipse2D.Double(-w * 0.9, shoulderY - 40, w * 1.8, 60));
                g.setColor(Color.WHITE);
                g.setStroke(new BasicStroke(4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(new java.awt.geom.Line2D.Double(-w * 0.3, shoulderY + 10, -w * 0.32, shoulderY + 80));
                g.draw(new java.awt.geom.Line2D.Double(w * 0.3, shoulderY + 10, w * 0.32, shoulderY + 80));
            }
            default -> {
            }
        }
        g.setClip(oldClip);
    }

    private static void neck(Graphics2D g, Appearance a) {
        double nw = a.faceHalfWidth * (a.gender == io.maskstream.events.Gender.MALE ? 0.5 : 0.42);
        double top = a.chinY - 40;
        double bottom = a.chinY + 50;
        Path2D neck = new Path2D.Double();
        neck.moveTo(-nw, top);
        neck.lineTo(nw, top);
        neck.curveTo(nw, bottom - 20, nw * 1.2, bottom, nw * 1.6, bottom + 10);
        neck.lineTo(-nw * 1.6, bottom + 10);
        neck.curveTo(-nw * 1.2, bottom, -nw, bottom - 20, -nw, top);
        neck.closePath();
        g.setPaint(new GradientPaint(0, (float) a.chinY, Appearance.shade(a.skin, 0.68), 0, (float) bottom,
                Appearance.shade(a.skin, 0.9)));
        g.fill(neck);
        if (a.wrinkles > 0.5) {
            g.setColor(Appearance.alpha(Appearance.shade(a.skin, 0.6), (a.wrinkles - 0.5) * 0.8));
            g.setStroke(HAIRLINE);
            for (int i = 0; i < 2; i++) {
                double y = a.chinY + 14 + i * 12;
                g.draw(new java.awt.geom.QuadCurve2D.Double(-nw * 0.8, y, 0, y + 6, nw * 0.8, y));
            }
        }
    }

    private static void ears(Graphics2D g, Appearance a) {
        double w = a.faceHalfWidth;
        for (int side = -1; side <= 1; side += 2) {
            double cx = side * (w - 3);
            Ellipse2D ear = new Ellipse2D.Double(cx - 13 + side * 8, -26, 26, 62);
            g.setColor(Appearance.shade(a.skin, 0.93));
            g.fill(ear);
            g.setColor(Appearance.shade(a.skin, 0.72));
            g.setStroke(new BasicStroke(2.2f));
            g.draw(new java.awt.geom.Arc2D.Double(cx - 7 + side * 8, -18, 14, 44, side > 0 ? -80 : 100, 200,
                    java.awt.geom.Arc2D.OPEN));
            if (a.earrings) {
                g.setColor(a.earringColor);
                g.fill(new Ellipse2D.Double(cx + side * 10 - 4, 34, 8, 8));
                g.setColor(Appearance.shade(a.earringColor, 0.6));
                g.setStroke(new BasicStroke(1f));
                g.draw(new Ellipse2D.Double(cx + side * 10 - 4, 34, 8, 8));
            }
        }
    }

    // ---------------------------------------------------------------- face

    /** The outline of the face from crown to chin, symmetric. */
    static Shape faceOutline(Appearance a) {
        double w = a.faceHalfWidth;
        double top = a.crownY;
        double c = a.chinY;
        double j = a.jaw;
        double jowl = a.jowl;
        // right half, top to chin: {c1x, c1y, c2x, c2y, x, y}
        double[][] right = {
            {w * 0.62, top, w * 0.98, top * 0.62, w, -42},
            {w * 1.03, -5, w * 1.01, 32, w * 0.95 + jowl * 0.3, 58 + jowl},
            {w * 0.9 + jowl * 0.4, 88 + jowl, w * j + 6, c - 22, w * j * 0.52, c - 5},
            {w * 0.3, c + 1, w * 0.13, c + 2, 0, c + 2},
        };
        Path2D p = new Path2D.Double();
        p.moveTo(0, top);
        for (double[] s : right) {
            p.curveTo(s[0], s[1], s[2], s[3], s[4], s[5]);
        }
        double[] start = {0, top};
        for (int i = right.length - 1; i >= 0; i--) {
            double[] s = right[i];
            double[] prev = i == 0 ? start : new double[] {right[i - 1][4], right[i - 1][5]};
            p.curveTo(-s[2], s[3], -s[0], s[1], -prev[0], prev[1]);
        }
        p.closePath();
        return p;
    }

    private static void faceSkin(Graphics2D g, Appearance a, Shape face) {
        double w = a.faceHalfWidth;
        g.setPaint(new RadialGradientPaint(new Point2D.Double(-w * 0.15, -10), (float) (w * 1.45),
                new float[] {0f, 0.6f, 1f},
                new Color[] {Appearance.shade(a.skin, 1.06), a.skin, Appearance.shade(a.skin, 0.8)}));
        g.fill(face);
        if (a.blush > 0) {
            g.setColor(new Color(230, 90, 100, (int) (a.blush * 255)));
            for (int side = -1; side <= 1; side += 2) {
                g.fill(new Ellipse2D.Double(side * w * 0.55 - 22, 28, 44, 26));
            }
        }
    }

    private static void ageMarks(Graphics2D g, Appearance a, Photo p, Shape face) {
        double k = a.wrinkles;
        if (k <= 0.05) {
            return;
        }
        Color line = Appearance.shade(a.skin, 0.62);
        g.setStroke(new BasicStroke((float) (1.0 + k * 1.2), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        // nasolabial folds appear first, then eye bags, crow's feet, forehead lines
        g.setColor(Appearance.alpha(line, Math.min(0.85, k * 1.1)));
        for (int side = -1; side <= 1; side += 2) {
            double sx = side * (a.noseWidth + 7);
            double ex = side * (a.mouthWidth / 2 + 8);
            g.draw(new java.awt.geom.CubicCurve2D.Double(sx, 40, sx + side * 14, 58, ex + side * 4, 76, ex, 96 + k * 10));
        }
        if (k > 0.2) {
            double alpha = Math.min(0.85, (k - 0.2) * 1.4);
            g.setColor(Appearance.alpha(line, alpha));
            for (int side = -1; side <= 1; side += 2) {
                double ex = side * a.eyeSpacing;
                g.draw(new java.awt.geom.Arc2D.Double(ex - a.eyeWidth * 0.55, EYE_Y - 2, a.eyeWidth * 1.1, 18 + k * 6, 200, 140,
                        java.awt.geom.Arc2D.OPEN));
                double cx = side * (a.eyeSpacing + a.eyeWidth * 0.62);
                for (int i = -1; i <= 1; i++) {
                    g.draw(new java.awt.geom.Line2D.Double(cx, EYE_Y + i * 4, cx + side * (8 + 6 * k), EYE_Y + i * 7 - 1));
                }
            }
        }
        if (k > 0.3) {
            g.setColor(Appearance.alpha(line, Math.min(0.8, (k - 0.3) * 1.3)));
            int lines = k > 0.7 ? 4 : k > 0.5 ? 3 : 2;
            for (int i = 0; i < lines; i++) {
                double y = -48 - i * 11;
                if (y < a.hairlineY + 8) {
                    break;
                }
                double hw = a.faceHalfWidth * (0.42 - i * 0.03);
                g.draw(new java.awt.geom.CubicCurve2D.Double(-hw, y + 3, -hw * 0.3, y - 4, hw * 0.3, y + 4, hw, y - 2));
            }
            // marionette lines
            for (int side = -1; side <= 1; side += 2) {
                double mx = side * (a.mouthWidth / 2 + 3);
                g.draw(new java.awt.geom.QuadCurve2D.Double(mx, MOUTH_Y + 6, mx + side * 4, MOUTH_Y + 22, mx + side * 2, MOUTH_Y + 36));
            }
            // frown lines between the brows
            g.draw(new java.awt.geom.Line2D.Double(-5, EYE_Y - 28, -3, EYE_Y - 14));
            g.draw(new java.awt.geom.Line2D.Double(5, EYE_Y - 28, 3, EYE_Y - 14));
        }
        if (a.ageSpots) {
            Rng r = new Rng(a.spotSeed);
            Shape old = g.getClip();
            g.clip(face);
            for (int i = 0; i < 9; i++) {
                g.setColor(Appearance.alpha(Appearance.shade(a.skin, 0.7), r.uniform(0.3, 0.6)));
                double s = r.uniform(3, 7);
                g.fill(new Ellipse2D.Double(r.uniform(-a.faceHalfWidth * 0.8, a.faceHalfWidth * 0.8), r.uniform(-90, 60), s, s * 0.8));
            }
            g.setClip(old);
        }
    }

    private static void eyes(Graphics2D g, Appearance a, Photo p) {
        for (int side = -1; side <= 1; side += 2) {
            double cx = side * a.eyeSpacing;
            double hw = a.eyeWidth / 2;
            double open = p.blink ? 1.2 : 6.5 * a.eyeOpen;
            Path2D eye = new Path2D.Double();
            eye.moveTo(cx - hw, EYE_Y);
            eye.curveTo(cx - hw * 0.5, EYE_Y - open * 1.3, cx + hw * 0.5, EYE_Y - open * 1.3, cx + hw, EYE_Y - 1);
            eye.curveTo(cx + hw * 0.5, EYE_Y + open * 0.9, cx - hw * 0.5, EYE_Y + open * 0.9, cx - hw, EYE_Y);
            eye.closePath();
            g.setColor(new Color(240, 238, 232));
            g.fill(eye);
            Shape old = g.getClip();
            g.clip(eye);
            double ix = cx + p.gazeX;
            double iy = EYE_Y - 0.5 + p.gazeY;
            g.setColor(a.iris);
            g.fill(new Ellipse2D.Double(ix - 6.5, iy - 6.5, 13, 13));
            g.setColor(new Color(12, 10, 10));
            g.fill(new Ellipse2D.Double(ix - 3, iy - 3, 6, 6));
            g.setColor(new Color(255, 255, 255, 200));
            g.fill(new Ellipse2D.Double(ix + 1.2, iy - 3.5, 2.6, 2.6));
            g.setClip(old);
            // upper lid and crease
            g.setColor(a.eyeliner ? new Color(20, 16, 16) : Appearance.shade(a.skin, 0.45));
            g.setStroke(new BasicStroke(a.eyeliner ? 2.8f : 1.7f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D lid = new Path2D.Double();
            lid.moveTo(cx - hw, EYE_Y);
            lid.curveTo(cx - hw * 0.5, EYE_Y - open * 1.3, cx + hw * 0.5, EYE_Y - open * 1.3, cx + hw + (a.eyeliner ? 3 : 0),
                    EYE_Y - 1 - (a.eyeliner ? 2 : 0));
            g.draw(lid);
            g.setColor(Appearance.alpha(Appearance.shade(a.skin, 0.7), 0.6));
            g.setStroke(HAIRLINE);
            g.draw(new java.awt.geom.QuadCurve2D.Double(cx - hw * 0.8, EYE_Y - open * 1.1 - 3, cx, EYE_Y - open * 1.6 - 6,
                    cx + hw * 0.9, EYE_Y - open * 1.1 - 3));
        }
    }

    private static void brows(Graphics2D g, Appearance a) {
        g.setColor(a.browColor);
        for (int side = -1; side <= 1; side += 2) {
            double inner = side * (a.eyeSpacing - a.eyeWidth * 0.55);
            double outer = side * (a.eyeSpacing + a.eyeWidth * 0.65);
            double y = EYE_Y - 17 - (a.gender == io.maskstream.events.Gender.FEMALE ? 3 : 0);
            double t = a.browThickness;
            Path2D b = new Path2D.Double();
            b.moveTo(inner, y + 1);
            b.quadTo((inner + outer) / 2, y - a.browArch - t * 0.5, outer, y + 3);
            b.quadTo((inner + outer) / 2, y - a.browArch + t * 0.6, inner, y + t);
            b.closePath();
            g.fill(b);
        }
    }

    private static void nose(Graphics2D g, Appearance a) {
        double nw = a.noseWidth;
        double tip = EYE_Y + a.noseLength;
        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.setColor(Appearance.alpha(Appearance.shade(a.skin, 0.7), 0.45));
        g.draw(new java.awt.geom.QuadCurve2D.Double(-7, EYE_Y + 6, -10, tip - 22, -nw * 0.75, tip - 6));
        g.setColor(Appearance.alpha(Appearance.shade(a.skin, 1.15), 0.5));
        g.fill(new Ellipse2D.Double(-6, tip - 14, 12, 10));
        g.setColor(Appearance.alpha(Appearance.shade(a.skin, 0.6), 0.8));
        for (int side = -1; side <= 1; side += 2) {
            g.draw(new java.awt.geom.Arc2D.Double(side * nw - 7, tip - 10, 14, 16, side > 0 ? -100 : 100, side > 0 ? 190 : 160,
                    java.awt.geom.Arc2D.OPEN));
            g.setColor(Appearance.alpha(Appearance.shade(a.skin, 0.35), 0.85));
            g.fill(new Ellipse2D.Double(side * nw * 0.45 - 4, tip + 1, 8, 4.5));
            g.setColor(Appearance.alpha(Appearance.shade(a.skin, 0.6), 0.8));
        }
    }

    private static void mouth(Graphics2D g, Appearance a, Photo p) {
        double hw = a.mouthWidth / 2;
        double lift = p.smile * 5;
        double upper = 5.5 * a.lipFullness;
        double lower = 7.5 * a.lipFullness;
        double y = MOUTH_Y;
        Path2D lips = new Path2D.Double();
        lips.moveTo(-hw, y - lift);
        lips.curveTo(-hw * 0.6, y - upper, -hw * 0.25, y - upper - 2, 0, y - upper + 1.5);
        lips.curveTo(hw * 0.25, y - upper - 2, hw * 0.6, y - upper, hw, y - lift);
        lips.curveTo(hw * 0.6, y + lower + 1, -hw * 0.6, y + lower + 1, -hw, y - lift);
        lips.closePath();
        g.setColor(a.lipColor);
        g.fill(lips);
        g.setColor(Appearance.alpha(Color.WHITE, 0.22));
        g.fill(new Ellipse2D.Double(-hw * 0.35, y + lower * 0.25, hw * 0.7, lower * 0.5));
        g.setColor(Appearance.shade(a.lipColor, 0.45));
        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new java.awt.geom.CubicCurve2D.Double(-hw, y - lift, -hw * 0.4, y + 1.5 + lift * 0.2, hw * 0.4,
                y + 1.5 + lift * 0.2, hw, y - lift));
    }

    private static void facialHair(Graphics2D g, Appearance a, Shape face) {
        if (a.beard == Appearance.Beard.NONE) {
            return;
        }
        double w = a.faceHalfWidth;
        double tip = EYE_Y + a.noseLength;
        Color c = Appearance.shade(a.hairColor, a.greyness > 0.6 ? 0.95 : 1.0);
        Area region;
        switch (a.beard) {
            case MUSTACHE -> {
                Path2D m = new Path2D.Double();
                double hw = a.mouthWidth / 2 + 4;
                m.moveTo(-hw, MOUTH_Y + 2);
                m.curveTo(-hw * 0.8, tip + 2, -8, tip + 4, 0, tip + 7);
                m.curveTo(8, tip + 4, hw * 0.8, tip + 2, hw, MOUTH_Y + 2);
                m.curveTo(hw * 0.5, MOUTH_Y - 6, -hw * 0.5, MOUTH_Y - 6, -hw, MOUTH_Y + 2);
                m.closePath();
                region = new Area(m);
            }
            case GOATEE -> {
                region = new Area(new Ellipse2D.Double(-a.mouthWidth * 0.55, MOUTH_Y - 14, a.mouthWidth * 1.1, a.chinY - MOUTH_Y + 22));
                region.intersect(new Area(face));
            }
            default -> {
                region = new Area(face);
                boolean full = a.beard == Appearance.Beard.FULL;
                Path2D cut = new Path2D.Double();
                cut.moveTo(-w * 1.2, full ? -10 : 20);
                cut.lineTo(-w * 0.62, full ? 48 : 62);
                cut.lineTo(-a.noseWidth - 4, tip + 8);
                cut.quadTo(0, tip + 3, a.noseWidth + 4, tip + 8);
                cut.lineTo(w * 0.62, full ? 48 : 62);
                cut.lineTo(w * 1.2, full ? -10 : 20);
                cut.lineTo(w * 1.2, 300);
                cut.lineTo(-w * 1.2, 300);
                cut.closePath();
                region.intersect(new Area(cut));
            }
        }
        Area mouth = new Area(new Ellipse2D.Double(-a.mouthWidth / 2, MOUTH_Y - 5, a.mouthWidth, 13));
        region.subtract(mouth);
        double alpha = a.beard == Appearance.Beard.STUBBLE ? 0.32 : 0.9;
        g.setColor(Appearance.alpha(c, alpha));
        g.fill(region);
        // texture
        Rng r = new Rng(a.spotSeed ^ 0xBEA2DL);
        Shape old = g.getClip();
        g.clip(region);
        g.setStroke(HAIRLINE);
        Rectangle2D bounds = region.getBounds2D();
        int strands = a.beard == Appearance.Beard.STUBBLE ? 160 : 90;
        for (int i = 0; i < strands; i++) {
            double x = r.uniform(bounds.getMinX(), bounds.getMaxX());
            double y = r.uniform(bounds.getMinY(), bounds.getMaxY());
            g.setColor(Appearance.alpha(r.chance(a.greyness) ? new Color(225, 225, 225) : Appearance.shade(c, 0.6), 0.6));
            g.draw(new java.awt.geom.Line2D.Double(x, y, x + r.uniform(-1.5, 1.5), y + r.uniform(2, 4)));
        }
        g.setClip(old);
    }

    // ---------------------------------------------------------------- mask

    private static void mask(Graphics2D g, Appearance a, Photo p) {
        double w = a.faceHalfWidth;
        double tip = EYE_Y + a.noseLength;
        double top;
        double sideTop;
        double bottom;
        double width = w * 1.02;
        if (p.maskState == MaskState.WORN) {
            top = EYE_Y + 18 + p.maskSag * 0.3;
            sideTop = top + 16;
            bottom = a.chinY + 14;
        } else {
            switch (p.misplacement) {
                case ON_CHIN -> {
                    top = MOUTH_Y + 13 + p.maskSag;
                    sideTop = top - 2;
                    bottom = a.chinY + 34;
                    width = w * 0.82;
                }
                case NOSE_TIP_OUT -> {
                    top = tip - 8 + p.maskSag * 0.3;
                    sideTop = top + 12;
                    bottom = a.chinY + 16;
                }
                default -> {
                    top = tip + 12 + p.maskSag * 0.5;
                    sideTop = top + 4;
                    bottom = a.chinY + 22;
                    width = w * 0.98;
                }
            }
        }
        double sideBottom = Math.max(sideTop + 30, Math.min(a.chinY - 30, bottom - 40));
        boolean pointed = p.maskStyle == Photo.MaskStyle.KF94;
        Path2D m = new Path2D.Double();
        m.moveTo(-width, sideTop);
        m.curveTo(-width * 0.55, top + 6, -width * 0.18, top - 3, 0, top - (pointed ? 6 : 2));
        m.curveTo(width * 0.18, top - 3, width * 0.55, top + 6, width, sideTop);
        m.curveTo(width * 1.02, sideTop + 20, width * 0.98, sideBottom - 10, width * 0.9, sideBottom);
        if (pointed) {
            m.curveTo(width * 0.7, bottom - 6, width * 0.3, bottom, 0, bottom + 4);
            m.curveTo(-width * 0.3, bottom, -width * 0.7, bottom - 6, -width * 0.9, sideBottom);
        } else {
            m.curveTo(width * 0.75, bottom + 2, width * 0.35, bottom + 6, 0, bottom + 6);
            m.curveTo(-width * 0.35, bottom + 6, -width * 0.75, bottom + 2, -width * 0.9, sideBottom);
        }
        m.curveTo(-width * 0.98, sideBottom - 10, -width * 1.02, sideTop + 20, -width, sideTop);
        m.closePath();

        // ear loops first: they run behind the mask edge to the ears
        Color loop = p.maskStyle == Photo.MaskStyle.SURGICAL ? new Color(245, 245, 245) : Appearance.shade(p.maskColour, 0.85);
        g.setColor(loop);
        g.setStroke(new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int side = -1; side <= 1; side += 2) {
            double ex = side * (w + 2);
            g.draw(new java.awt.geom.QuadCurve2D.Double(side * width * 0.98, sideTop + 4, side * (w + 8), Math.min(sideTop, 0) - 6,
                    ex, -18));
            g.draw(new java.awt.geom.QuadCurve2D.Double(side * width * 0.9, sideBottom - 4, side * (w + 14), sideBottom,
                    ex + side * 4, 36));
        }

        g.setColor(p.maskColour);
        g.fill(m);
        Shape old = g.getClip();
        g.clip(m);
        double h = bottom - top;
        switch (p.pattern) {
            case DOTS -> {
                g.setColor(p.patternColour);
                for (double y = top; y < bottom + 10; y += 14) {
                    for (double x = -width + ((int) ((y - top) / 14) % 2) * 7; x < width; x += 14) {
                        g.fill(new Ellipse2D.Double(x - 3, y - 3, 6, 6));
                    }
                }
            }
            case STRIPES -> {
                g.setColor(p.patternColour);
                for (double x = -width; x < width; x += 16) {
                    g.fill(new Rectangle2D.Double(x, top - 10, 7, h + 30));
                }
            }
            case CHECK -> {
                g.setColor(Appearance.alpha(p.patternColour, 0.55));
                for (double x = -width; x < width; x += 20) {
                    g.fill(new Rectangle2D.Double(x, top - 10, 9, h + 30));
                }
                for (double y = top; y < bottom + 10; y += 20) {
                    g.fill(new Rectangle2D.Double(-width, y, width * 2, 9));
                }
            }
            case FLORAL -> {
                Rng r = new Rng(p.seed);
                for (int i = 0; i < 14; i++) {
                    double x = r.uniform(-width, width);
                    double y = r.uniform(top, bottom);
                    g.setColor(p.patternColour);
                    for (int k = 0; k < 5; k++) {
                        double ang = k * Math.PI * 2 / 5;
                        g.fill(new Ellipse2D.Double(x + Math.cos(ang) * 5 - 3.5, y + Math.sin(ang) * 5 - 3.5, 7, 7));
                    }
                    g.setColor(new Color(240, 210, 80));
                    g.fill(new Ellipse2D.Double(x - 2.5, y - 2.5, 5, 5));
                }
            }
            default -> {
            }
        }
        // fabric shading: light from above, shadow below
        g.setPaint(new GradientPaint(0, (float) top, new Color(255, 255, 255, 50), 0, (float) bottom, new Color(0, 0, 0, 70)));
        g.fill(m);
        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        switch (p.maskStyle) {
            case SURGICAL -> {
                g.setColor(Appearance.alpha(Appearance.shade(p.maskColour, 0.7), 0.9));
                for (int i = 1; i <= 3; i++) {
                    double y = top + h * (0.2 + i * 0.18);
                    g.draw(new java.awt.geom.QuadCurve2D.Double(-width * 0.95, y + 4, 0, y - 3, width * 0.95, y + 4));
                }
                g.setColor(Appearance.alpha(Color.WHITE, 0.35));
                g.setStroke(new BasicStroke(4f));
                g.draw(new java.awt.geom.QuadCurve2D.Double(-width * 0.6, top + 8, 0, top - 2, width * 0.6, top + 8));
            }
            case KF94 -> {
                g.setColor(Appearance.alpha(Appearance.shade(p.maskColour, 0.6), 0.9));
                g.draw(new java.awt.geom.Line2D.Double(0, top - 4, 0, bottom + 2));
                g.draw(new java.awt.geom.QuadCurve2D.Double(-width * 0.85, top + h * 0.35, 0, top + h * 0.2, width * 0.85,
                        top + h * 0.35));
            }
            case CUP -> {
                g.setColor(Appearance.alpha(Appearance.shade(p.maskColour, 0.7), 0.8));
                g.draw(new Ellipse2D.Double(-width * 0.7, top + h * 0.1, width * 1.4, h * 0.85));
            }
            default -> {
                g.setColor(Appearance.alpha(Appearance.shade(p.maskColour, 0.6), 0.7));
                g.draw(new java.awt.geom.Line2D.Double(0, top, 0, bottom + 4));
            }
        }
        g.setClip(old);
        g.setColor(Appearance.shade(p.maskColour, 0.62));
        g.setStroke(new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(m);
    }

    // ---------------------------------------------------------------- hair and glasses

    private static void backHair(Graphics2D g, Appearance a) {
        double w = a.faceHalfWidth + 18 + a.hairVolume;
        Path2D b = new Path2D.Double();
        b.moveTo(-w, -40);
        b.curveTo(-w * 1.02, a.crownY - 40, w * 1.02, a.crownY - 40, w, -40);
        b.curveTo(w * 1.12, 90, w * 1.2, 200, w * 1.05, 262);
        b.lineTo(-w * 1.05, 262);
        b.curveTo(-w * 1.2, 200, -w * 1.12, 90, -w, -40);
        b.closePath();
        g.setColor(Appearance.shade(a.hairColor, 0.82));
        g.fill(b);
        strands(g, a, b, 28);
    }

    private static void bobBack(Graphics2D g, Appearance a) {
        double w = a.faceHalfWidth + 16 + a.hairVolume;
        Path2D b = new Path2D.Double();
        b.moveTo(-w, -40);
        b.curveTo(-w, a.crownY - 40, w, a.crownY - 40, w, -40);
        b.curveTo(w * 1.06, 60, w * 1.04, 110, w * 0.9, 128);
        b.lineTo(-w * 0.9, 128);
        b.curveTo(-w * 1.04, 110, -w * 1.06, 60, -w, -40);
        b.closePath();
        g.setColor(Appearance.shade(a.hairColor, 0.85));
        g.fill(b);
    }

    private static void frontHair(Graphics2D g, Appearance a) {
        double w = a.faceHalfWidth;
        double vol = a.hairVolume;
        double top = a.crownY - vol;
        double hl = a.hairlineY;
        double side = -8; // where the hair meets the temples (sideburns)
        Path2D cap = new Path2D.Double();
        double outer = w + vol * 0.7;
        cap.moveTo(-outer, side + 10);
        cap.curveTo(-outer * 1.04, top * 0.55, -outer * 0.62, top, 0, top);
        cap.curveTo(outer * 0.62, top, outer * 1.04, top * 0.55, outer, side + 10);
        cap.lineTo(w * 0.93, side + 10);
        switch (a.hair) {
            case SIDE_PART -> {
                double px = (a.partLeft ? -1 : 1) * w * 0.35;
                cap.curveTo(w * 0.94, hl + 30, w * 0.6, hl, px * 0.2 + w * 0.1, hl - 2);
                cap.curveTo(-w * 0.2, hl + 6, -w * 0.8, hl + 28, -w * 0.93, side + 10);
            }
            case RECEDING -> {
                cap.curveTo(w * 0.95, -60, w * 0.78, hl + 24, w * 0.45, hl + 18);
                cap.curveTo(w * 0.2, hl - 2, -w * 0.2, hl - 2, -w * 0.45, hl + 18);
                cap.curveTo(-w * 0.78, hl + 24, -w * 0.95, -60, -w * 0.93, side + 10);
            }
            case BANGS -> {
                cap.curveTo(w * 0.95, hl, w * 0.6, hl + 4, 0, hl + 2);
                cap.curveTo(-w * 0.6, hl + 4, -w * 0.95, hl, -w * 0.93, side + 10);
            }
            default -> {
                cap.curveTo(w * 0.95, hl + 26, w * 0.55, hl - 4, 0, hl);
                cap.curveTo(-w * 0.55, hl - 4, -w * 0.95, hl + 26, -w * 0.93, side + 10);
            }
        }
        cap.closePath();
        Color c = a.hair == Appearance.Hair.BUZZ ? Appearance.alpha(a.hairColor, 0.78) : a.hairColor;
        g.setColor(c);
        g.fill(cap);
        if (a.hair == Appearance.Hair.RECEDING && a.greyness > 0.5) {
            // thinning crown: skin shows through
            g.setColor(Appearance.alpha(a.skin, 0.35));
            g.fill(new Ellipse2D.Double(-w * 0.4, top + 6, w * 0.8, (a.hairlineY - top) * 0.8));
        }
        if (a.hair != Appearance.Hair.BUZZ) {
            strands(g, a, cap, 32);
        }
        switch (a.hair) {
            case LONG, BANGS -> {
                for (int s = -1; s <= 1; s += 2) {
                    Path2D lock = new Path2D.Double();
                    lock.moveTo(s * (w * 0.9), side);
                    lock.curveTo(s * (w + vol + 10), -60, s * (w + vol + 14), 60, s * (w + vol + 26), 230);
                    lock.lineTo(s * (w * 0.96), 240);
                    lock.curveTo(s * (w * 1.0), 120, s * (w * 0.92), 40, s * (w * 0.9), side);
                    lock.closePath();
                    g.setColor(a.hairColor);
                    g.fill(lock);
                    strands(g, a, lock, 14);
                }
            }
            case BOB -> {
                for (int s = -1; s <= 1; s += 2) {
                    Path2D lock = new Path2D.Double();
                    lock.moveTo(s * (w * 0.9), side);
                    lock.curveTo(s * (w + vol + 6), -40, s * (w + vol + 8), 70, s * (w + vol + 4), 124);
                    lock.lineTo(s * (w * 0.9), 120);
                    lock.curveTo(s * (w * 0.98), 70, s * (w * 0.92), 30, s * (w * 0.9), side);
                    lock.closePath();
                    g.setColor(a.hairColor);
                    g.fill(lock);
                }
            }
            case BUN -> {
                g.setColor(a.hairColor);
                g.fill(new Ellipse2D.Double(-34, top - 46, 68, 56));
                strands(g, a, new Ellipse2D.Double(-34, top - 46, 68, 56), 10);
            }
            case PONYTAIL -> {
                double s = a.partLeft ? -1 : 1;
                Path2D tail = new Path2D.Double();
                tail.moveTo(s * (w + 2), -40);
                tail.curveTo(s * (w + 40), 20, s * (w + 30), 120, s * (w + 44), 190);
                tail.lineTo(s * (w + 18), 180);
                tail.curveTo(s * (w + 14), 100, s * (w + 10), 30, s * (w - 4), -20);
                tail.closePath();
                g.setColor(Appearance.shade(a.hairColor, 0.9));
                g.fill(tail);
            }
            default -> {
            }
        }
    }

    private static void strands(Graphics2D g, Appearance a, Shape region, int count) {
        Rng r = new Rng(a.spotSeed ^ count);
        Shape old = g.getClip();
        g.clip(region);
        Rectangle2D b = region.getBounds2D();
        g.setStroke(HAIRLINE);
        Color light = Appearance.shade(a.hairColor, 1.35);
        Color dark = Appearance.shade(a.hairColor, 0.6);
        Color grey = new Color(226, 226, 224);
        boolean curly = a.hair == Appearance.Hair.CROP && (a.spotSeed & 1) == 0;
        for (int i = 0; i < count; i++) {
            double x = r.uniform(b.getMinX(), b.getMaxX());
            double y = r.uniform(b.getMinY(), b.getMaxY());
            double len = r.uniform(20, 60);
            Color c = r.chance(a.greyness * 0.8) ? grey : r.chance(0.5) ? light : dark;
            g.setColor(Appearance.alpha(c, 0.55));
            double bend = curly ? r.uniform(-14, 14) : r.uniform(-6, 6);
            double dirX = x < 0 ? -0.35 : 0.35;
            g.draw(new java.awt.geom.QuadCurve2D.Double(x, y, x + dirX * len * 0.5 + bend, y + len * 0.5, x + dirX * len,
                    y + len));
        }
        g.setClip(old);
    }

    private static void glasses(Graphics2D g, Appearance a) {
        g.setStroke(new BasicStroke(a.roundGlasses ? 2.6f : 3.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int side = -1; side <= 1; side += 2) {
            double cx = side * a.eyeSpacing;
            Shape lens = a.roundGlasses
                    ? new Ellipse2D.Double(cx - 19, EYE_Y - 17, 38, 34)
                    : new RoundRectangle2D.Double(cx - 21, EYE_Y - 14, 42, 28, 10, 10);
            g.setColor(new Color(200, 220, 240, 40));
            g.fill(lens);
            g.setColor(a.glassesColor);
            g.draw(lens);
            g.draw(new java.awt.geom.Line2D.Double(side * (a.eyeSpacing + 20), EYE_Y - 6, side * (a.faceHalfWidth + 2), EYE_Y - 10));
        }
        g.draw(new java.awt.geom.QuadCurve2D.Double(-a.eyeSpacing + 19, EYE_Y - 4, 0, EYE_Y - 10, a.eyeSpacing - 19, EYE_Y - 4));
    }

    // ---------------------------------------------------------------- light and sensor

    /**
     * Light falling from one side, exposure, white balance, vignetting and sensor noise, applied to the raw
     * pixels in one pass (much cheaper than compositing gradients with Java2D). Smooth terms are separable in x
     * and y, so they are precomputed per column and per row.
     */
    private static void sensor(BufferedImage img, Photo p) {
        sensor(img, p, p.seed);
    }

    /** {@link #sensor(BufferedImage, Photo)} with the noise drawn from {@code noiseSeed}: a new frame of one camera. */
    static void sensor(BufferedImage img, Photo p, long noiseSeed) {
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData(); // B, G, R
        int w = img.getWidth();
        int h = img.getHeight();
        float contrast = (float) p.contrast;
        float gainR = (float) (p.contrast * (1 + p.warm));
        float gainB = (float) (p.contrast * (1 - p.warm));
        float offset = (float) (p.brightness + 128 * (1 - p.contrast));
        double cx = w / 2.0;
        double cy = h / 2.0;
        double inv = p.vignette / (cx * cx + cy * cy);
        double radius = Math.hypot(w, h) / 2;
        double lx = Math.cos(p.lightAngle) / radius;
        double ly = Math.sin(p.lightAngle) / radius;
        float[] colVignette = new float[w];
        float[] colLight = new float[w];
        for (int x = 0; x < w; x++) {
            colVignette[x] = (float) ((x - cx) * (x - cx) * inv);
            colLight[x] = (float) ((x - cx) * lx);
        }
        float lightStrength = (float) p.lightStrength;
        float shadowStrength = (float) p.shadowStrength;
        float noiseScale = (float) (p.noise * 1.7 / 65535.0);
        float chromaScale = (float) (p.noise * 0.6 / 255.0);
        int state = (int) (noiseSeed ^ (noiseSeed >>> 32)) | 1;
        for (int y = 0; y < h; y++) {
            float rowVignette = (float) ((y - cy) * (y - cy) * inv);
            float rowLight = (float) ((y - cy) * ly);
            int i = y * w * 3;
            for (int x = 0; x < w; x++, i += 3) {
                float v = 1f - colVignette[x] - rowVignette;
                // t = +1 on the lit side, -1 on the shadow side
                float t = colLight[x] + rowLight;
                float keep;
                float add;
                if (t > 0) {
                    float lit = lightStrength * t;
                    keep = (1f - lit) * v;
                    add = lit * 245f;
                } else {
                    keep = (1f + shadowStrength * t) * v;
                    add = 0f;
                }
                // xorshift32: cheap, deterministic noise
                state ^= state << 13;
                state ^= state >>> 17;
                state ^= state << 5;
                float n = ((state & 0xffff) + ((state >>> 16) & 0xffff) - 65535) * noiseScale;
                float chroma = (((state >>> 8) & 0xff) - 127.5f) * chromaScale;
                int b = px[i] & 0xff;
                int g = px[i + 1] & 0xff;
                int r = px[i + 2] & 0xff;
                px[i] = (byte) Rng.clamp((int) ((b * gainB + offset) * keep + add * 0.95f + n - chroma));
                px[i + 1] = (byte) Rng.clamp((int) ((g * contrast + offset) * keep + add + n));
                px[i + 2] = (byte) Rng.clamp((int) ((r * gainR + offset) * keep + add + n + chroma));
            }
        }
    }
}
