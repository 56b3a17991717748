package io.maskstream.systemtests;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

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
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        return write(writer, new IIOImage(image, null, null), param);
    }

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gif(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "gif", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The face as a CMYK JPEG the way Photoshop writes them: ImageIO's JPEG writer given a 4-band raster of inverted
     * inks (255 = no ink), and an Adobe APP14 marker saying so; {@code ycck} stores the first three bands
     * YCC-encoded (Adobe transform 2), as most CMYK JPEGs in the wild do.
     */
    static byte[] cmykJpeg(int width, int height, boolean ycck) {
        BufferedImage rgb = face(width, height, BufferedImage.TYPE_INT_RGB);
        byte[] px = new byte[width * height * 4];
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = rgb.getRGB(x, y);
                int r = (p >> 16) & 0xFF;
                int g = (p >> 8) & 0xFF;
                int b = p & 0xFF;
                int k = 255 - Math.max(r, Math.max(g, b));
                int scale = 255 - k;
                int c = scale == 0 ? 0 : 255 * (scale - r) / scale;
                int m = scale == 0 ? 0 : 255 * (scale - g) / scale;
                int ye = scale == 0 ? 0 : 255 * (scale - b) / scale;
                int[] stored = {255 - c, 255 - m, 255 - ye, 255 - k};
                if (ycck) {
                    double rr = 255 - stored[0];
                    double gg = 255 - stored[1];
                    double bb = 255 - stored[2];
                    stored[0] = (int) Math.round(0.299 * rr + 0.587 * gg + 0.114 * bb);
                    stored[1] = (int) Math.round(-0.168736 * rr - 0.331264 * gg + 0.5 * bb + 128);
                    stored[2] = (int) Math.round(0.5 * rr - 0.418688 * gg - 0.081312 * bb + 128);
                }
                for (int ch = 0; ch < 4; ch++) {
                    px[i++] = (byte) Math.max(0, Math.min(255, stored[ch]));
                }
            }
        }
        WritableRaster raster = Raster.createInterleavedRaster(new DataBufferByte(px, px.length), width, height,
                width * 4, 4, new int[] {0, 1, 2, 3}, null);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        byte[] plain = write(writer, new IIOImage(raster, null, null), param);
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) (ycck ? 2 : 0)};
        byte[] out = new byte[plain.length + app14.length];
        out[0] = plain[0];
        out[1] = plain[1];
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(plain, 2, out, 2 + app14.length, plain.length - 2);
        return out;
    }

    /** A PNG of random pixels: it does not compress, so it is about {@code width * height * 3} bytes. */
    static byte[] noisePng(int width, int height, long seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        new Random(seed).nextBytes(px);
        return png(img);
    }

    private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
