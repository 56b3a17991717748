package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The preprocessing of scenes: full-resolution decode, letterbox for the detector, crops for the classifier. */
class SceneGeometryTest {

    final ImagePreprocessor classifier = new ImagePreprocessor(InputSpec.imagenet(30, 40), ImageLimits.defaults());
    final ImagePreprocessor detector = new ImagePreprocessor(InputSpec.imagenet(64, 64), ImageLimits.defaults());

    /** 200×100: left half red, right half blue. */
    static DecodedImage halves() {
        BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 100, 100);
        g.setColor(Color.BLUE);
        g.fillRect(100, 0, 100, 100);
        g.dispose();
        return new DecodedImage(img);
    }

    static int[] rgb(PreparedImage p, int x, int y) {
        int i = (y * p.width() + x) * 3;
        return new int[] {p.rgb()[i] & 0xFF, p.rgb()[i + 1] & 0xFF, p.rgb()[i + 2] & 0xFF};
    }

    @Test
    void decodeKeepsTheFullResolutionAndAppliesTheSameLimitsAsPrepare() throws Exception {
        byte[] png = TestImages.png(halves().image());
        DecodedImage d = classifier.decode(png);
        assertThat(d.width()).isEqualTo(200);
        assertThat(d.height()).isEqualTo(100);
        assertThat(d.image().getRGB(10, 10) & 0xFFFFFF).isEqualTo(0xFF0000);
        byte[] truncated = java.util.Arrays.copyOf(TestImages.jpeg(halves().image()), 300);
        assertThatThrownBy(() -> classifier.decode(truncated)).isInstanceOf(ImageRejectedException.class);
    }

    @Test
    void aCropKeepsTheFacesProportionsAndIsGreyOutsideTheFrame() {
        // a 20×20 box at the left edge, margin 0: grown to 3:4 (20×26.7), centred on the box; nothing outside the
        // frame horizontally, so the crop is all red
        PreparedImage inside = classifier.crop(halves(), new Box(10, 40, 20, 20), 0);
        assertThat(rgb(inside, 15, 20)[0]).isGreaterThan(200);
        assertThat(rgb(inside, 15, 20)[2]).isLessThan(40);
        // a box hanging over the left edge: the part outside the frame is the grey backdrop
        PreparedImage edge = classifier.crop(halves(), new Box(-20, 40, 40, 40), 0);
        assertThat(rgb(edge, 2, 20)).containsExactly(128, 128, 128);
        assertThat(rgb(edge, 27, 20)[0]).isGreaterThan(200);
    }

    @Test
    void theMarginGrowsTheBoxOnEverySide() {
        // a 20×20 box straddling the red/blue border near the top, margin 1: 60×60 then 60×80 at (70, -20), still
        // centred on x=100; its top quarter lies above the frame
        PreparedImage grown = classifier.crop(halves(), new Box(90, 10, 20, 20), 1.0);
        assertThat(rgb(grown, 3, 25)[0]).isGreaterThan(200);
        assertThat(rgb(grown, 26, 25)[2]).isGreaterThan(200);
        assertThat(rgb(grown, 15, 1)).as("above the frame").containsExactly(128, 128, 128);
        assertThatThrownBy(() -> classifier.crop(halves(), new Box(0, 0, 10, 10), -0.1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLetterboxScalesWithoutDistortionAndMapsBoxesBack() {
        PreparedImage boxed = detector.letterbox(halves());
        // 200×100 into 64×64: scale 0.32, 16 px of grey above and below
        assertThat(rgb(boxed, 32, 5)).containsExactly(128, 128, 128);
        assertThat(rgb(boxed, 10, 32)[0]).isGreaterThan(200);
        assertThat(rgb(boxed, 54, 32)[2]).isGreaterThan(200);
        Letterbox l = Letterbox.of(200, 100, 64, 64);
        Box face = new Box(50, 20, 40, 30);
        Box back = l.toSource(l.toInput(face));
        assertThat(back.x()).isCloseTo(50, within(1e-9));
        assertThat(back.w()).isCloseTo(40, within(1e-9));
        assertThat(l.toSource(new Box(0, 0, 64, 10))).as("entirely in the padding").isNull();
    }

    @Test
    void boxGeometry() {
        Box a = new Box(0, 0, 10, 10);
        assertThat(a.iou(new Box(5, 0, 10, 10))).isCloseTo(50.0 / 150, within(1e-12));
        assertThat(a.iou(new Box(20, 20, 5, 5))).isZero();
        assertThat(new Box(-5, -5, 10, 10).clip(8, 8)).isEqualTo(new Box(0, 0, 5, 5));
        assertThat(new Box(20, 20, 5, 5).clip(8, 8)).isNull();
        Box tall = new Box(0, 0, 30, 30).toAspect(3, 4);
        assertThat(tall.w()).isEqualTo(30);
        assertThat(tall.h()).isCloseTo(40, within(1e-9));
        assertThat(tall.centreY()).isCloseTo(15, within(1e-9));
    }
}
