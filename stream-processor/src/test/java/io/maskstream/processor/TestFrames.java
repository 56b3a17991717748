package io.maskstream.processor;

import io.maskstream.events.Frame;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Random;
import javax.imageio.ImageIO;

/** Real JPEG frames for processor tests (drawn, not canned bytes). */
final class TestFrames {

    private TestFrames() {
    }

    static byte[] jpeg(int width, int height, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(230, 190, 160));
        g.fillOval(width / 4, height / 5, width / 2, height / 2);
        g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
        g.fillRect(width / 4 + 10, height / 2, width / 2 - 20, height / 6);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Frame frame(String camera, long seq, byte[] image) {
        return Frame.newBuilder().setCameraId(camera).setSequence(seq).setCaptureTime(Instant.now())
                .setImage(ByteBuffer.wrap(image)).setContentType("image/jpeg").setWidth(null).setHeight(null)
                .setSource(null).build();
    }

    static Frame frame(String camera, long seq) {
        return frame(camera, seq, jpeg(96, 128, seq * 31 + camera.hashCode()));
    }
}
