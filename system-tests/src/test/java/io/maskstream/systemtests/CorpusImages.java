package io.maskstream.systemtests;

import io.maskstream.model.TestImages;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Random;

/** The images of the bad-input corpus, drawn and encoded here with Java2D and ImageIO (no binary fixtures). */
final class CorpusImages {

    private CorpusImages() {
    }

    /** A face-like drawing: gradient background, face, eyes, a mask, a strap; {@code type} picks the colour model. */
    static BufferedImage face(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        if (image.getColorModel().hasAlpha()) {
            g.setComposite(java.awt.AlphaComposite.Src);
            g.setColor(new Color(0, 0, 0, 0)); // transparent background
            g.fillRect(0, 0, width, height);
        } else {
            g.setPaint(new GradientPaint(0, 0, new Color(70, 90, 140), width, height, new Color(200, 190, 170)));
            g.fillRect(0, 0, width, height);
        }
        g.setColor(new Color(224, 172, 140, 255));
        g.fillOval(width / 4, height / 6, width / 2, height * 2 / 3);
        g.setColor(new Color(40, 40, 60));
        g.fillOval(width * 3 / 8, height * 2 / 5, width / 16, height / 24);
        g.fillOval(width * 9 / 16, height * 2 / 5, width / 16, height / 24);
        g.setColor(new Color(90, 160, 220, 200)); // a translucent mask where there is alpha
        g.fillRoundRect(width / 3, height * 11 / 20, width / 3, height / 5, width / 12, width / 12);
        g.setStroke(new BasicStroke(Math.max(1, width / 128f)));
        g.setColor(Color.WHITE);
        g.drawLine(width / 3, height * 3 / 5, 0, height / 2);
        g.dispose();
        return image;
    }

    static byte[] jpeg(BufferedImage image, float quality, boolean progressive) {
        return TestImages.jpeg(image, quality, progressive);
    }

    static byte[] png(BufferedImage image) {
        return TestImages.png(image);
    }

    static byte[] gif(BufferedImage image) {
        return TestImages.encode(image, "gif");
    }

    /** The face as a CMYK JPEG the way Photoshop writes them (Adobe APP14 marker; {@code ycck}: transform 2). */
    static byte[] cmykJpeg(int width, int height, boolean ycck) {
        return TestImages.adobeCmykJpeg(face(width, height, BufferedImage.TYPE_INT_RGB), ycck);
    }

    /** A PNG of random pixels: it does not compress, so it is about {@code width * height * 3} bytes. */
    static byte[] noisePng(int width, int height, long seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        new Random(seed).nextBytes(px);
        return png(img);
    }
}
