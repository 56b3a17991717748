package io.maskstream.model;

/**
 * Which part of an encoded image to decode and at what scale, decided from its header alone.
 *
 * <p>The source is centre-cropped to the network's aspect ratio (a 384×512 photo into a 3:4 input is
 * not cropped at all; a 4:3 camera frame loses its sides, not its proportions), then decoded with a
 * source subsampling {@code step} so that the decoded image is 1–2× the input size: the decoder then
 * touches far less memory, a huge image stays small, and the final bilinear resize averages at most
 * about 2×2 source pixels per output pixel.
 */
record DecodePlan(int x, int y, int width, int height, int step) {

    static DecodePlan of(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight) {
        long wide = (long) sourceWidth * targetHeight;
        long tall = (long) sourceHeight * targetWidth;
        int cropWidth = sourceWidth;
        int cropHeight = sourceHeight;
        if (wide > tall) {
            cropWidth = (int) Math.max(1, Math.min(sourceWidth, Math.round((double) sourceHeight * targetWidth / targetHeight)));
        } else if (wide < tall) {
            cropHeight = (int) Math.max(1, Math.min(sourceHeight, Math.round((double) sourceWidth * targetHeight / targetWidth)));
        }
        double ratio = Math.min((double) cropWidth / targetWidth, (double) cropHeight / targetHeight);
        int step = Math.max(1, (int) Math.ceil(ratio / 2));
        return new DecodePlan((sourceWidth - cropWidth) / 2, (sourceHeight - cropHeight) / 2, cropWidth, cropHeight, step);
    }

    /** Width of the decoded (subsampled) image. */
    int decodedWidth() {
        return (width + step - 1) / step;
    }

    /** Height of the decoded (subsampled) image. */
    int decodedHeight() {
        return (height + step - 1) / step;
    }

    /** Pixels the decoder will produce; what decoding costs in memory. */
    long decodedPixels() {
        return (long) decodedWidth() * decodedHeight();
    }
}
