package io.maskstream.app.dashboard;

import io.maskstream.events.Face;
import io.maskstream.events.FaceBox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * A frame's size in pixels, the space the face boxes are in, and how the dashboard learned it ({@link #from}):
 * {@code frame} (the Frame event said), {@code image} (the image's header), {@code crop} (a whole-frame
 * verdict's centre crop, whose margins are equal) or {@code boxes} (only the extent of the boxes seen: a lower
 * bound, the page draws it but cannot know the true frame).
 */
record FrameSize(int width, int height, String from) {

    static final String FROM_FRAME = "frame";
    static final String FROM_IMAGE = "image";
    static final String FROM_CROP = "crop";
    static final String FROM_BOXES = "boxes";

    /** The size a Frame event states, else the one its image's header states; empty when neither is readable. */
    static Optional<FrameSize> of(Integer width, Integer height, byte[] image) {
        if (width != null && height != null && width > 0 && height > 0) {
            return Optional.of(new FrameSize(width, height, FROM_FRAME));
        }
        return fromHeader(image);
    }

    /**
     * The width and height in a JPEG's or PNG's header, read without decoding a pixel (the reader stops at the
     * header: a few hundred bytes, whatever the image's size); empty when no reader understands the bytes.
     */
    static Optional<FrameSize> fromHeader(byte[] image) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return Optional.empty();
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                return w > 0 && h > 0 ? Optional.of(new FrameSize(w, h, FROM_IMAGE)) : Optional.empty();
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a corrupt header: the page falls back to the boxes' extent
        }
    }

    /**
     * The frame a whole-frame verdict was made on: its single face is the centre crop the classifier saw, cut
     * with equal margins ({@code x = (width - cropWidth) / 2}), so the frame is the crop plus twice its margins,
     * to a pixel. Empty for anything else (a detector's faces say nothing about the frame beyond their extent).
     */
    static Optional<FrameSize> ofWholeFrameCrop(List<Face> faces, String detectorVersion) {
        if (detectorVersion != null || faces.size() != 1 || faces.get(0).getTrackId() != null) {
            return Optional.empty();
        }
        FaceBox b = faces.get(0).getBox();
        int w = Math.round(2 * b.getX() + b.getWidth());
        int h = Math.round(2 * b.getY() + b.getHeight());
        return w > 0 && h > 0 ? Optional.of(new FrameSize(w, h, FROM_CROP)) : Optional.empty();
    }
}
