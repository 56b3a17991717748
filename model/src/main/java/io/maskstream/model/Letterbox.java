package io.maskstream.model;

/**
 * How a frame is fitted into a detector's input without distortion: scaled by {@code scale} (the same both ways) so
 * it fits, centred, the rest padded with grey. Maps boxes the detector finds (input pixels) back to the frame's.
 */
public record Letterbox(int sourceWidth, int sourceHeight, int inputWidth, int inputHeight, double scale, double padX,
                        double padY) {

    /** The letterbox of a {@code sourceWidth × sourceHeight} frame in a {@code inputWidth × inputHeight} input. */
    public static Letterbox of(int sourceWidth, int sourceHeight, int inputWidth, int inputHeight) {
        double scale = Math.min((double) inputWidth / sourceWidth, (double) inputHeight / sourceHeight);
        double padX = (inputWidth - sourceWidth * scale) / 2;
        double padY = (inputHeight - sourceHeight * scale) / 2;
        return new Letterbox(sourceWidth, sourceHeight, inputWidth, inputHeight, scale, padX, padY);
    }

    /** A box in input pixels as a box in the frame's pixels, clipped to the frame; null when it lies outside it. */
    public Box toSource(Box input) {
        Box source = new Box((input.x() - padX) / scale, (input.y() - padY) / scale, input.w() / scale, input.h() / scale);
        return source.clip(sourceWidth, sourceHeight);
    }

    /** A box in the frame's pixels as a box in input pixels. */
    public Box toInput(Box source) {
        return new Box(source.x() * scale + padX, source.y() * scale + padY, source.w() * scale, source.h() * scale);
    }
}
