package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.maskstream.model.Box;
import io.maskstream.model.PreparedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class SceneAugmenterTest {

    private static final int W = 256;
    private static final int H = 192;

    @Test
    void boxesMoveWithThePixels() {
        Box face = new Box(40, 30, 50, 60);
        PreparedImage image = whiteBoxOnBlack(face);
        SceneAugmenter augmenter = new SceneAugmenter(3, 0.25);
        for (int i = 0; i < 20; i++) {
            SceneAugmenter.Augmented a = augmenter.apply(image, List.of(face));
            Box bright = brightRegion(a.image());
            if (a.faces().isEmpty()) {
                continue; // pushed mostly out: dropped, checked below
            }
            Box moved = a.faces().get(0);
            // colour jitter may darken or brighten, but the box stays the brightest thing on a black frame
            assertThat(bright.iou(moved)).as("augmentation %d: pixels %s, box %s", i, bright, moved).isGreaterThan(0.85);
        }
    }

    @Test
    void flipMirrorsTheBoxAndScaleActsAboutTheCentre() {
        Box face = new Box(40, 30, 50, 60);

        Box flipped = SceneAugmenter.transform(List.of(face), W, H, true, 0, 0, 1).get(0);
        assertThat(flipped.x()).isCloseTo(W - 90, within(1e-9));
        assertThat(flipped.y()).isCloseTo(30, within(1e-9));

        Box centre = new Box(W / 2.0 - 10, H / 2.0 - 10, 20, 20);
        Box doubled = SceneAugmenter.transform(List.of(centre), W, H, false, 5, -5, 2).get(0);
        assertThat(doubled.centreX()).isCloseTo(W / 2.0 + 5, within(1e-9));
        assertThat(doubled.centreY()).isCloseTo(H / 2.0 - 5, within(1e-9));
        assertThat(doubled.w()).isCloseTo(40, within(1e-9));
    }

    @Test
    void aFacePushedMostlyOutOfTheFrameIsDroppedAndOneHalfInIsClipped() {
        Box edge = new Box(0, 50, 40, 40);

        assertThat(SceneAugmenter.transform(List.of(edge), W, H, false, -30, 0, 1)).isEmpty();
        List<Box> half = SceneAugmenter.transform(List.of(edge), W, H, false, -20, 0, 1);
        assertThat(half).containsExactly(new Box(0, 50, 20, 40));
    }

    private static PreparedImage whiteBoxOnBlack(Box b) {
        byte[] rgb = new byte[W * H * 3];
        for (int y = (int) b.y(); y < b.bottom(); y++) {
            for (int x = (int) b.x(); x < b.right(); x++) {
                int i = (y * W + x) * 3;
                rgb[i] = rgb[i + 1] = rgb[i + 2] = (byte) 255;
            }
        }
        return new PreparedImage(W, H, rgb, W, H);
    }

    /**
     * Bounding box of the pixels above 85% of the brightest: the white box, whatever the colour jitter did, and not the
     * grey that geometry leaves where it uncovers the frame.
     */
    private static Box brightRegion(PreparedImage image) {
        byte[] rgb = image.rgb();
        int max = 0;
        for (int i = 0; i < rgb.length; i += 3) {
            max = Math.max(max, rgb[i + 1] & 0xFF);
        }
        int threshold = max * 85 / 100;
        int x1 = W;
        int y1 = H;
        int x2 = -1;
        int y2 = -1;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if ((rgb[(y * W + x) * 3 + 1] & 0xFF) > threshold) {
                    x1 = Math.min(x1, x);
                    y1 = Math.min(y1, y);
                    x2 = Math.max(x2, x + 1);
                    y2 = Math.max(y2, y + 1);
                }
            }
        }
        return Box.ofCorners(x1, y1, x2, y2);
    }
}
