package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {

    private static final InputSpec FASTNET = Architectures.defaultInput(Architectures.FASTNET);
    private final ImagePreprocessor preprocessor = new ImagePreprocessor(FASTNET, ImageLimits.defaults());

    @Test
    void jpegPhotoBecomesInputSizedRgbAndRemembersItsSourceSize() throws Exception {
        PreparedImage image = preprocessor.prepare(TestImages.jpeg(TestImages.scene(384, 512, 1)));

        assertThat(image.width()).isEqualTo(96);
        assertThat(image.height()).isEqualTo(128);
        assertThat(image.rgb()).hasSize(96 * 128 * 3);
        assertThat(image.sourceWidth()).isEqualTo(384);
        assertThat(image.sourceHeight()).isEqualTo(512);
    }

    @Test
    void solidColourKeepsItsRgbOrderAndValueEverywhere() throws Exception {
        Color colour = new Color(200, 100, 50);
        PreparedImage fromPng = preprocessor.prepare(TestImages.png(TestImages.solid(384, 512, BufferedImage.TYPE_3BYTE_BGR, colour)));
        PreparedImage fromJpeg = preprocessor.prepare(TestImages.jpeg(TestImages.solid(384, 512, BufferedImage.TYPE_3BYTE_BGR, colour)));

        for (int[] xy : new int[][] {{0, 0}, {95, 0}, {0, 127}, {95, 127}, {48, 64}}) {
            assertThat(TestImages.rgb(fromPng, xy[0], xy[1])).containsExactly(200, 100, 50);
            int[] jpeg = TestImages.rgb(fromJpeg, xy[0], xy[1]);
            assertThat(jpeg[0]).isCloseTo(200, within(4));
            assertThat(jpeg[1]).isCloseTo(100, within(4));
            assertThat(jpeg[2]).isCloseTo(50, within(4));
        }
    }

    @Test
    void leftStaysLeftAndTopStaysTop() throws Exception {
        BufferedImage quadrants = new BufferedImage(384, 512, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = quadrants.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 192, 256);
        g.setColor(Color.BLUE);
        g.fillRect(192, 0, 192, 256);
        g.setColor(Color.GREEN);
        g.fillRect(0, 256, 384, 256);
        g.dispose();

        PreparedImage image = preprocessor.prepare(TestImages.png(quadrants));

        assertThat(TestImages.rgb(image, 10, 10)).containsExactly(255, 0, 0);
        assertThat(TestImages.rgb(image, 85, 10)).containsExactly(0, 0, 255);
        assertThat(TestImages.rgb(image, 48, 120)).containsExactly(0, 255, 0);
    }

    @Test
    void landscapeFrameIsCentreCroppedToTheInputAspectNotStretched() throws Exception {
        // 400x300 (4:3): a 3:4 crop keeps x in [87, 312]; red and blue bands lie outside it.
        BufferedImage frame = TestImages.solid(400, 300, BufferedImage.TYPE_INT_RGB, Color.GREEN);
        Graphics2D g = frame.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 80, 300);
        g.setColor(Color.BLUE);
        g.fillRect(320, 0, 80, 300);
        g.dispose();

        PreparedImage image = preprocessor.prepare(TestImages.png(frame));

        for (int x = 0; x < 96; x += 5) {
            assertThat(TestImages.rgb(image, x, 64)).containsExactly(0, 255, 0);
        }
        assertThat(preprocessor.plan(400, 300)).isEqualTo(new DecodePlan(87, 0, 225, 300, 2));
    }

    @Test
    void grayscaleJpegAndPngBecomeGreyRgbWithoutGammaShift() throws Exception {
        BufferedImage grey = TestImages.solid(200, 260, BufferedImage.TYPE_BYTE_GRAY, new Color(100, 100, 100));

        PreparedImage fromPng = preprocessor.prepare(TestImages.png(grey));
        PreparedImage fromJpeg = preprocessor.prepare(TestImages.jpeg(grey));

        assertThat(TestImages.rgb(fromPng, 40, 60)).containsExactly(100, 100, 100);
        int[] jpeg = TestImages.rgb(fromJpeg, 40, 60);
        assertThat(jpeg[0]).isEqualTo(jpeg[1]).isEqualTo(jpeg[2]);
        assertThat(jpeg[0]).isCloseTo(100, within(3));
    }

    @Test
    void transparentPngIsCompositedOnNeutralGrey() throws Exception {
        BufferedImage argb = new BufferedImage(384, 512, BufferedImage.TYPE_INT_ARGB); // fully transparent
        Graphics2D g = argb.createGraphics();
        g.setColor(new Color(255, 0, 0, 255));
        g.fillRect(0, 0, 384, 256); // opaque red top half
        g.dispose();

        PreparedImage image = preprocessor.prepare(TestImages.png(argb));

        assertThat(TestImages.rgb(image, 48, 20)).containsExactly(255, 0, 0);
        assertThat(TestImages.rgb(image, 48, 110)).containsExactly(128, 128, 128);
    }

    @Test
    void progressiveJpegDecodesLikeBaseline() throws Exception {
        BufferedImage scene = TestImages.scene(384, 512, 2);

        PreparedImage baseline = preprocessor.prepare(TestImages.jpeg(scene, 0.95f, false));
        PreparedImage progressive = preprocessor.prepare(TestImages.jpeg(scene, 0.95f, true));

        assertThat(meanAbsoluteDifference(baseline, progressive)).isLessThan(3.0);
    }

    @Test
    void cmykAndYcckJpegsAreConvertedToTheirRgbColour() throws Exception {
        Color orange = new Color(255, 128, 0);
        for (boolean ycck : new boolean[] {false, true}) {
            PreparedImage image = preprocessor.prepare(TestImages.adobeCmykJpeg(200, 260, orange, ycck));
            int[] rgb = TestImages.rgb(image, 48, 64);
            assertThat(rgb[0]).as("R, ycck=%s", ycck).isCloseTo(255, within(8));
            assertThat(rgb[1]).as("G, ycck=%s", ycck).isCloseTo(128, within(8));
            assertThat(rgb[2]).as("B, ycck=%s", ycck).isCloseTo(0, within(8));
        }
    }

    @Test
    void tinyImageIsRejectedAsTooSmall() {
        byte[] onePixel = TestImages.png(TestImages.solid(1, 1, BufferedImage.TYPE_INT_RGB, Color.WHITE));

        assertRejected(onePixel, ImageRejectedException.Reason.IMAGE_TOO_SMALL, "1x1");
    }

    @Test
    void largeImageIsDecodedSubsampledToAboutTwiceTheInput() throws Exception {
        PreparedImage image = preprocessor.prepare(TestImages.jpeg(TestImages.scene(4000, 4000, 3), 0.8f, false));

        assertThat(image.width()).isEqualTo(96);
        assertThat(image.sourceWidth()).isEqualTo(4000);
        DecodePlan plan = preprocessor.plan(4000, 4000);
        assertThat(plan.step()).isEqualTo(16);
        assertThat(plan.decodedWidth()).isBetween(96, 2 * 96);
    }

    @Test
    void hugeImageIsJudgedFromItsHeaderBeforeAnyPixelIsDecoded() {
        byte[] small = TestImages.jpeg(TestImages.scene(64, 64, 4));
        // 8000x8000 = 64 MP: within the default 100 MP it would be decoded at 1/32 scale, about 190x250 px
        DecodePlan plan = preprocessor.plan(8000, 8000);
        assertThat(plan.step()).isGreaterThanOrEqualTo(31);
        assertThat(plan.decodedPixels()).isLessThan(4 * 96 * 128);
        // with a 50 MP limit the same header is refused as too large, without decoding
        ImagePreprocessor strict = new ImagePreprocessor(FASTNET, new ImageLimits(16, 50_000_000L, 16 << 20));
        assertThatThrownBy(() -> strict.prepare(TestImages.withClaimedSize(small, 8000, 8000)))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageRejectedException.Reason.IMAGE_TOO_LARGE))
                .hasMessageContaining("8000x8000").hasMessageContaining("megapixels");
        // and beyond the default limit it is refused by default
        assertRejected(TestImages.withClaimedSize(small, 12000, 12000), ImageRejectedException.Reason.IMAGE_TOO_LARGE, "12000x12000");
    }

    @Test
    void tooManyBytesAreRejectedBeforeDecoding() {
        ImagePreprocessor strict = new ImagePreprocessor(FASTNET, new ImageLimits(16, 100_000_000L, 1000));
        byte[] jpeg = TestImages.jpeg(TestImages.scene(384, 512, 5));

        assertThatThrownBy(() -> strict.prepare(jpeg))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ImageRejectedException.Reason.IMAGE_TOO_LARGE))
                .hasMessageContaining("limit of 1000");
    }

    @Test
    void truncatedJpegIsRejectedNotHalfDecoded() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene(384, 512, 6));

        assertRejected(Arrays.copyOf(jpeg, jpeg.length / 2), ImageRejectedException.Reason.UNDECODABLE_IMAGE, "truncated");
        assertRejected(Arrays.copyOf(jpeg, jpeg.length - 200), ImageRejectedException.Reason.UNDECODABLE_IMAGE, "truncated");
        assertRejected(Arrays.copyOf(jpeg, 100), ImageRejectedException.Reason.UNDECODABLE_IMAGE, "JPEG");
    }

    @Test
    void truncatedPngIsRejected() {
        byte[] png = TestImages.png(TestImages.scene(384, 512, 7));

        assertRejected(Arrays.copyOf(png, png.length / 2), ImageRejectedException.Reason.UNDECODABLE_IMAGE, "PNG");
    }

    @Test
    void randomBytesAndEmptyInputAreUndecodable() {
        byte[] noise = new byte[5000];
        new Random(8).nextBytes(noise);
        noise[0] = 0x12;
        byte[] jpegMagicThenNoise = noise.clone();
        jpegMagicThenNoise[0] = (byte) 0xFF;
        jpegMagicThenNoise[1] = (byte) 0xD8;
        jpegMagicThenNoise[2] = (byte) 0xFF;

        assertRejected(noise, ImageRejectedException.Reason.UNDECODABLE_IMAGE, "neither JPEG nor PNG");
        assertRejected(jpegMagicThenNoise, ImageRejectedException.Reason.UNDECODABLE_IMAGE, "JPEG");
        assertRejected(new byte[0], ImageRejectedException.Reason.UNDECODABLE_IMAGE, "empty");
        assertRejected(null, ImageRejectedException.Reason.UNDECODABLE_IMAGE, "empty");
    }

    @Test
    void otherImageFormatsAreUnsupportedContent() {
        byte[] gif = TestImages.encode(TestImages.scene(64, 64, 9), "gif");
        byte[] bmp = TestImages.encode(TestImages.scene(64, 64, 9), "bmp");

        assertRejected(gif, ImageRejectedException.Reason.UNSUPPORTED_CONTENT_TYPE, "GIF");
        assertRejected(bmp, ImageRejectedException.Reason.UNSUPPORTED_CONTENT_TYPE, "BMP");
    }

    @Test
    void identicalInputGivesIdenticalOutputAlsoAcrossThreads() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.scene(384, 512, 10));
        PreparedImage first = preprocessor.prepare(jpeg);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PreparedImage>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> preprocessor.prepare(jpeg)));
            }
            for (Future<PreparedImage> result : results) {
                assertThat(result.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void batchIsNchwFloatNormalisedWithTheSpecsMeanAndStd() throws Exception {
        InputSpec spec = new InputSpec(16, 8, new float[] {0.5f, 0.25f, 0f}, new float[] {0.5f, 0.25f, 1f});
        ImagePreprocessor small = new ImagePreprocessor(spec, ImageLimits.defaults());
        byte[] first = new byte[16 * 8 * 3];
        first[0] = (byte) 255; // pixel (0,0) pure red, the rest black
        byte[] second = new byte[16 * 8 * 3];
        Arrays.fill(second, (byte) 255);
        second[(8 * 16 - 1) * 3 + 2] = 0; // last pixel of second image: no blue

        try (NDManager manager = Compute.engine().newBaseManager()) {
            NDArray batch = small.toBatch(manager, List.of(new PreparedImage(16, 8, first, 16, 8),
                    new PreparedImage(16, 8, second, 16, 8)));

            assertThat(batch.getShape()).isEqualTo(new Shape(2, 3, 8, 16));
            assertThat(batch.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] v = batch.toFloatArray();
            int plane = 8 * 16;
            assertThat(v[0]).isCloseTo((1f - 0.5f) / 0.5f, within(1e-6f));            // image 0, R, (0,0)
            assertThat(v[1]).isCloseTo((0f - 0.5f) / 0.5f, within(1e-6f));            // image 0, R, (1,0)
            assertThat(v[plane]).isCloseTo((0f - 0.25f) / 0.25f, within(1e-6f));      // image 0, G, (0,0)
            assertThat(v[3 * plane + 2 * plane + plane - 1]).isCloseTo(0f, within(1e-6f)); // image 1, B, last pixel
            assertThat(v[3 * plane + 2 * plane]).isCloseTo(1f, within(1e-6f));          // image 1, B, first pixel
        }
    }

    @Test
    void batchRefusesImagesOfAnotherSize() {
        PreparedImage wrong = new PreparedImage(8, 8, new byte[8 * 8 * 3], 8, 8);
        try (NDManager manager = Compute.engine().newBaseManager()) {
            assertThatThrownBy(() -> preprocessor.toBatch(manager, List.of(wrong)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("96x128");
        }
    }

    private void assertRejected(byte[] bytes, ImageRejectedException.Reason reason, String messagePart) {
        assertThatThrownBy(() -> preprocessor.prepare(bytes))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }

    private static double meanAbsoluteDifference(PreparedImage a, PreparedImage b) {
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return (double) sum / a.rgb().length;
    }
}
