package io.maskstream.model;

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

/** Encoded test images made on the fly, so the tests carry no binary fixtures. */
public final class TestImages {

    private TestImages() {
    }

    /** A face-like drawing with gradient background and noise, like the synthetic camera's photos. */
    static BufferedImage scene(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(70, 90, 140), width, height, new Color(200, 190, 170)));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(224, 172, 140));
        g.fillOval(width / 4, height / 6, width / 2, height * 2 / 3);
        g.setColor(new Color(40, 40, 60));
        g.fillOval(width * 3 / 8, height * 2 / 5, width / 16, height / 24);
        g.fillOval(width * 9 / 16, height * 2 / 5, width / 16, height / 24);
        g.setColor(new Color(90, 160, 220));
        g.fillRoundRect(width / 3, height * 11 / 20, width / 3, height / 5, 30, 30);
        g.setStroke(new BasicStroke(3));
        g.setColor(Color.WHITE);
        g.drawLine(width / 3, height * 3 / 5, 0, height / 2);
        g.dispose();
        byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        Random random = new Random(seed);
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xFF) + random.nextInt(17) - 8));
        }
        return image;
    }

    static BufferedImage solid(int width, int height, int type, Color color) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    public static byte[] jpeg(BufferedImage image, float quality, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        return write(writer, new IIOImage(image, null, null), param);
    }

    static byte[] jpeg(BufferedImage image) {
        return jpeg(image, 0.9f, false);
    }

    public static byte[] png(BufferedImage image) {
        return encode(image, "png");
    }

    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A CMYK JPEG as Photoshop writes them: Adobe APP14 marker, inverted CMYK (255 = no ink); with
     * {@code ycck} the first three channels are YCC-encoded (Adobe transform 2).
     */
    static byte[] adobeCmykJpeg(int width, int height, Color rgb, boolean ycck) {
        return adobeCmykJpeg(solid(width, height, BufferedImage.TYPE_INT_RGB, rgb), ycck);
    }

    /** {@code image} as a CMYK JPEG the way Photoshop writes them (see above). */
    public static byte[] adobeCmykJpeg(BufferedImage image, boolean ycck) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] px = new byte[width * height * 4];
        int i = 0;
        for (int yy = 0; yy < height; yy++) {
            for (int xx = 0; xx < width; xx++) {
                int p = image.getRGB(xx, yy);
                int[] stored = adobeInks((p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF, ycck);
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
        param.setCompressionQuality(0.95f);
        byte[] plain = write(writer, new IIOImage(raster, null, null), param);
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) (ycck ? 2 : 0)};
        byte[] out = new byte[plain.length + app14.length];
        out[0] = plain[0];
        out[1] = plain[1];
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(plain, 2, out, 2 + app14.length, plain.length - 2);
        return out;
    }

    /**
     * One RGB pixel as Adobe stores CMYK: inks (0 = none) with K = 255 - max(r,g,b), inverted (value = 255 - ink);
     * with {@code ycck} the first three are YCC-encoded as libjpeg does (R = 255 - C', ..., then RGB -> YCbCr).
     */
    private static int[] adobeInks(int r, int gr, int b, boolean ycck) {
        int k = 255 - Math.max(r, Math.max(gr, b));
        int scale = 255 - k;
        int c = scale == 0 ? 0 : 255 * (scale - r) / scale;
        int m = scale == 0 ? 0 : 255 * (scale - gr) / scale;
        int y = scale == 0 ? 0 : 255 * (scale - b) / scale;
        int[] stored = {255 - c, 255 - m, 255 - y, 255 - k};
        if (ycck) {
            double rr = 255 - stored[0];
            double gg = 255 - stored[1];
            double bb = 255 - stored[2];
            stored[0] = (int) Math.round(0.299 * rr + 0.587 * gg + 0.114 * bb);
            stored[1] = (int) Math.round(-0.168736 * rr - 0.331264 * gg + 0.5 * bb + 128);
            stored[2] = (int) Math.round(0.5 * rr - 0.418688 * gg - 0.081312 * bb + 128);
        }
        return stored;
    }

    /** The JPEG with its frame header claiming another size: lets a test show header checks without pixels. */
    static byte[] withClaimedSize(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        for (int i = 2; i + 9 < out.length; i++) {
            if ((out[i] & 0xFF) == 0xFF && ((out[i + 1] & 0xFF) == 0xC0 || (out[i + 1] & 0xFF) == 0xC2)) {
                out[i + 5] = (byte) (height >> 8);
                out[i + 6] = (byte) height;
                out[i + 7] = (byte) (width >> 8);
                out[i + 8] = (byte) width;
                return out;
            }
        }
        throw new IllegalArgumentException("no SOF marker");
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

    /** RGB of pixel (x, y) of a prepared image. */
    static int[] rgb(PreparedImage image, int x, int y) {
        int i = (y * image.width() + x) * 3;
        byte[] p = image.rgb();
        return new int[] {p[i] & 0xFF, p[i + 1] & 0xFF, p[i + 2] & 0xFF};
    }
}
