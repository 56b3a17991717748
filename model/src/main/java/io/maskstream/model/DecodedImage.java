package io.maskstream.model;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * A frame decoded at full resolution ({@link ImagePreprocessor#decode}), as detection needs it: the detector sees it
 * scaled down ({@link ImagePreprocessor#letterbox}), and each face is cut from it at full resolution
 * ({@link ImagePreprocessor#crop}). The image is 3-byte BGR; treat it as read-only.
 */
public record DecodedImage(BufferedImage image) {

    /** Checks the pixel layout. */
    public DecodedImage {
        Objects.requireNonNull(image, "image");
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("a decoded image must be TYPE_3BYTE_BGR, got type " + image.getType());
        }
    }

    /** Width in pixels. */
    public int width() {
        return image.getWidth();
    }

    /** Height in pixels. */
    public int height() {
        return image.getHeight();
    }

    /** The whole image as a box. */
    public Box bounds() {
        return new Box(0, 0, width(), height());
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width() + "x" + height() + "]";
    }
}
