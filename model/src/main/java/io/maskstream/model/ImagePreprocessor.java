package io.maskstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The one image preprocessing, used by training and serving alike: encoded JPEG/PNG bytes to
 * {@code height × width} RGB bytes ({@link #prepare}), and prepared images to a normalised
 * {@code N×3×H×W} float tensor ({@link #toBatch}).
 *
 * <p>Fast by construction: the format is sniffed from the bytes; the header is read first, so size
 * limits are enforced before any pixel is decoded; JPEGs (and PNGs) are decoded with source subsampling
 * into a byte raster at 1–2× the input size (see {@link DecodePlan}); one bilinear {@code drawImage}
 * resizes; the raster's byte array is copied with a BGR→RGB swap. No per-pixel Java calls. Grayscale,
 * palette and 16-bit images go through the same {@code drawImage}; alpha is composited on neutral grey;
 * CMYK/YCCK JPEGs are converted from their raster.
 *
 * <p>A truncated or corrupt JPEG is rejected, not half-decoded: ImageIO fills what it could not read with
 * grey and only reports a warning, so any decoder warning rejects the image.
 *
 * <p>Thread-safe: every call makes its own reader and buffers; instances are immutable.
 */
public final class ImagePreprocessor {

    /** Neutral grey behind transparent pixels: the middle of the range, close to the data's mean. */
    private static final Color BACKDROP = new Color(128, 128, 128);

    private static final ImageReaderSpi JPEG_READER = readerFor("jpeg");
    private static final ImageReaderSpi PNG_READER = readerFor("png");

    static {
        Compute.prepare();
    }

    private final InputSpec spec;
    private final ImageLimits limits;
    private final float[] scale = new float[3];
    private final float[] offset = new float[3];

    /** A preprocessor producing inputs of {@code spec}, refusing images outside {@code limits}. */
    public ImagePreprocessor(InputSpec spec, ImageLimits limits) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.limits = Objects.requireNonNull(limits, "limits");
        for (int c = 0; c < 3; c++) {
            // (v/255 - mean) / std  ==  v * scale - offset
            scale[c] = 1f / (255f * spec.std(c));
            offset[c] = spec.mean(c) / spec.std(c);
        }
    }

    /** The input this preprocessor produces. */
    public InputSpec spec() {
        return spec;
    }

    /** The limits it enforces. */
    public ImageLimits limits() {
        return limits;
    }

    /**
     * Decodes a JPEG or PNG and resizes it to the input size.
     *
     * @throws ImageRejectedException with reason and readable message for empty, unknown, unsupported,
     *     too small, too large, truncated or corrupt images
     */
    public PreparedImage prepare(byte[] encodedImage) throws ImageRejectedException {
        return read(encodedImage, (reader, width, height) -> {
            DecodePlan plan = DecodePlan.of(width, height, spec.width(), spec.height());
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceRegion(new Rectangle(plan.x(), plan.y(), plan.width(), plan.height()));
            param.setSourceSubsampling(plan.step(), plan.step(), 0, 0);
            return param;
        }, (decoded, width, height) -> new PreparedImage(spec.width(), spec.height(), resizeToRgb(decoded), width, height));
    }

    /**
     * Decodes a JPEG or PNG at full resolution, for detection: faces are found in a letterboxed copy
     * ({@link #letterbox}) and cut from this one ({@link #crop}). The same checks as {@link #prepare} apply.
     *
     * @throws ImageRejectedException as {@link #prepare}
     */
    public DecodedImage decode(byte[] encodedImage) throws ImageRejectedException {
        return read(encodedImage, (reader, width, height) -> reader.getDefaultReadParam(),
                (decoded, width, height) -> new DecodedImage(toBgr(decoded)));
    }

    /** Which part of the image to decode, and at what step, once its header gave the size. */
    private interface ReadPlan {
        ImageReadParam plan(ImageReader reader, int width, int height);
    }

    /** What to make of the decoded pixels ({@code width × height}: the encoded image's size). */
    private interface Finish<T> {
        T finish(BufferedImage decoded, int width, int height);
    }

    /**
     * The one decode both {@link #prepare} and {@link #decode} go through: format and byte limits first, then the size
     * limits from the header before any pixel is read, then the pixels; any decoder warning rejects the image.
     */
    private <T> T read(byte[] encodedImage, ReadPlan plan, Finish<T> finish) throws ImageRejectedException {
        ImageFormat format = checkEncoded(encodedImage);
        ImageReader reader = newReader(format);
        FirstWarning warning = new FirstWarning();
        reader.addIIOReadWarningListener(warning);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encodedImage))) {
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkSize(width, height);
            BufferedImage decoded = reader.read(0, plan.plan(reader, width, height));
            if (warning.message != null) {
                throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE_IMAGE, "the " + format
                        + " image is truncated or corrupt (decoder: " + warning.message + ")");
            }
            return finish.finish(decoded, width, height);
        } catch (ImageRejectedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE_IMAGE, "cannot decode the " + format
                    + " image: " + detail, e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * The whole frame scaled, without distortion, into this preprocessor's input size, centred on grey: what a
     * detector sees. {@link Letterbox#of} with the same sizes maps its boxes back to the frame.
     */
    public PreparedImage letterbox(DecodedImage frame) {
        Letterbox l = Letterbox.of(frame.width(), frame.height(), spec.width(), spec.height());
        BufferedImage target = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        try {
            g.setColor(BACKDROP);
            g.fillRect(0, 0, spec.width(), spec.height());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            int x = (int) Math.round(l.padX());
            int y = (int) Math.round(l.padY());
            int w = Math.max(1, (int) Math.round(frame.width() * l.scale()));
            int h = Math.max(1, (int) Math.round(frame.height() * l.scale()));
            g.drawImage(frame.image(), x, y, w, h, null);
        } finally {
            g.dispose();
        }
        return new PreparedImage(spec.width(), spec.height(), rgbOf(target), frame.width(), frame.height());
    }

    /**
     * One face cut from the full-resolution frame, as the classifier takes it: the box grows by {@code margin} (a
     * fraction of its width on the left and right, of its height above and below), then its shorter side grows to
     * the input's aspect so the face is never stretched; what lies outside the frame is grey. The region is then
     * resized to the input size with the same bilinear resize as {@link #prepare}. Training crops and serving crops
     * both come from here.
     *
     * @throws IllegalArgumentException if the margin is negative or not finite
     */
    public PreparedImage crop(DecodedImage frame, Box box, double margin) {
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("the crop margin must be a finite number >= 0, got " + margin);
        }
        Box region = box.grow(margin).toAspect(spec.width(), spec.height());
        BufferedImage target = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        try {
            Box inside = region.clip(frame.width(), frame.height());
            if (inside == null || inside.w() < 1 || inside.h() < 1) {
                g.setColor(BACKDROP);
                g.fillRect(0, 0, spec.width(), spec.height());
            } else {
                double sx = spec.width() / region.w();
                double sy = spec.height() / region.h();
                if (inside.w() < region.w() - 1e-6 || inside.h() < region.h() - 1e-6) {
                    g.setColor(BACKDROP);
                    g.fillRect(0, 0, spec.width(), spec.height());
                }
                int sx1 = (int) Math.floor(inside.x());
                int sy1 = (int) Math.floor(inside.y());
                int sx2 = Math.min(frame.width(), (int) Math.ceil(inside.right()));
                int sy2 = Math.min(frame.height(), (int) Math.ceil(inside.bottom()));
                int dx1 = (int) Math.round((sx1 - region.x()) * sx);
                int dy1 = (int) Math.round((sy1 - region.y()) * sy);
                int dx2 = (int) Math.round((sx2 - region.x()) * sx);
                int dy2 = (int) Math.round((sy2 - region.y()) * sy);
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(frame.image(), dx1, dy1, dx2, dy2, sx1, sy1, sx2, sy2, null);
            }
        } finally {
            g.dispose();
        }
        return new PreparedImage(spec.width(), spec.height(), rgbOf(target), frame.width(), frame.height());
    }

    /** The whole frame as the classifier takes it in whole-frame mode: centre-cropped to the input's aspect. */
    public PreparedImage whole(DecodedImage frame) {
        Box centre = frame.bounds();
        double target = (double) spec.width() / spec.height();
        if (centre.w() / centre.h() > target) {
            double w = centre.h() * target;
            centre = new Box((centre.w() - w) / 2, 0, w, centre.h());
        } else {
            double h = centre.w() / target;
            centre = new Box(0, (centre.h() - h) / 2, centre.w(), h);
        }
        return crop(frame, centre, 0);
    }

    private ImageFormat checkEncoded(byte[] encodedImage) throws ImageRejectedException {
        if (encodedImage == null || encodedImage.length == 0) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE_IMAGE, "the image is empty (0 bytes)");
        }
        if (encodedImage.length > limits.maxBytes()) {
            throw new ImageRejectedException(ImageRejectedException.Reason.IMAGE_TOO_LARGE, "the image has " + encodedImage.length
                    + " bytes, more than the limit of " + limits.maxBytes());
        }
        ImageFormat format = ImageFormat.sniff(encodedImage);
        if (format == ImageFormat.UNKNOWN) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE_IMAGE, "not an image: the " + encodedImage.length
                    + " bytes are neither JPEG nor PNG");
        }
        if (!format.supported()) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNSUPPORTED_CONTENT_TYPE, "the bytes are a " + format
                    + " image; only JPEG and PNG are supported");
        }
        return format;
    }

    private static ImageReader newReader(ImageFormat format) throws ImageRejectedException {
        try {
            return (format == ImageFormat.JPEG ? JPEG_READER : PNG_READER).createReaderInstance();
        } catch (IOException e) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE_IMAGE, "no " + format + " decoder: "
                    + e.getMessage(), e);
        }
    }

    /** Any decoded image as 3-byte BGR (the decoder's own buffer when it already is). */
    private static BufferedImage toBgr(BufferedImage decoded) {
        BufferedImage source = isCmyk(decoded) ? cmykToBgr(decoded) : decoded;
        if (source.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            return source;
        }
        BufferedImage bgr = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = bgr.createGraphics();
        try {
            if (source.getColorModel().hasAlpha()) {
                g.setColor(BACKDROP);
                g.fillRect(0, 0, source.getWidth(), source.getHeight());
            }
            g.drawImage(source, 0, 0, null);
        } finally {
            g.dispose();
        }
        return bgr;
    }

    private static byte[] rgbOf(BufferedImage bgrImage) {
        byte[] bgr = ((DataBufferByte) bgrImage.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }

    /** The part of a {@code sourceWidth × sourceHeight} image that {@link #prepare} keeps (its centre crop). */
    public Box wholeFrameRegion(int sourceWidth, int sourceHeight) {
        DecodePlan plan = plan(sourceWidth, sourceHeight);
        return new Box(plan.x(), plan.y(), plan.width(), plan.height());
    }

    /**
     * What {@link #prepare} would decode for an image of this size: the crop and subsampling step, read
     * from the header alone. Shows that a huge image is decoded small.
     */
    DecodePlan plan(int sourceWidth, int sourceHeight) {
        return DecodePlan.of(sourceWidth, sourceHeight, spec.width(), spec.height());
    }

    private void checkSize(int width, int height) throws ImageRejectedException {
        if (width <= 0 || height <= 0) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNDECODABLE_IMAGE, "the image header says " + width + "x"
                    + height + " px");
        }
        if (Math.min(width, height) < limits.minSide()) {
            throw new ImageRejectedException(ImageRejectedException.Reason.IMAGE_TOO_SMALL, "the image is " + width + "x" + height
                    + " px; its shorter side must be at least " + limits.minSide() + " px");
        }
        long pixels = (long) width * height;
        if (pixels > limits.maxPixels()) {
            throw new ImageRejectedException(ImageRejectedException.Reason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                    "the image is %dx%d px (%.1f megapixels), more than the limit of %.1f megapixels", width, height,
                    pixels / 1e6, limits.maxPixels() / 1e6));
        }
    }

    /** One bilinear resize of the decoded image into a BGR byte raster, then its bytes as RGB. */
    private byte[] resizeToRgb(BufferedImage decoded) {
        BufferedImage source = isCmyk(decoded) ? cmykToBgr(decoded) : decoded;
        BufferedImage target = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        try {
            if (source.getColorModel().hasAlpha()) {
                g.setColor(BACKDROP);
                g.fillRect(0, 0, spec.width(), spec.height());
            }
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, 0, 0, spec.width(), spec.height(), null);
        } finally {
            g.dispose();
        }
        return rgbOf(target);
    }

    private static boolean isCmyk(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK
                && image.getRaster().getNumBands() == 4;
    }

    /**
     * CMYK to RGB without a colour profile: {@code R = (255-C)(255-K)/255} and so on. ImageIO hands CMYK
     * and YCCK JPEGs over as ink amounts (0 = no ink; it has already undone Adobe's inverted storage and
     * the YCCK transform). Colours are approximate, which does not matter for masks, gender or age; what
     * matters is that such photos are neither rejected nor garbage.
     */
    private static BufferedImage cmykToBgr(BufferedImage cmyk) {
        Raster raster = cmyk.getRaster();
        int width = raster.getWidth();
        int height = raster.getHeight();
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        int[] row = new int[width * 4];
        int o = 0;
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int i = 0; i < row.length; i += 4) {
                int white = 255 - row[i + 3];
                bgr[o++] = (byte) (((255 - row[i + 2]) * white + 127) / 255);
                bgr[o++] = (byte) (((255 - row[i + 1]) * white + 127) / 255);
                bgr[o++] = (byte) (((255 - row[i]) * white + 127) / 255);
            }
        }
        return out;
    }

    /**
     * Stacks prepared images into one {@code N×3×H×W} float32 tensor on the manager's device, normalised by
     * the input spec: one buffer, one native copy, then tensor operations. Intermediates are released;
     * the result belongs to {@code manager}.
     *
     * @throws IllegalArgumentException if the list is empty or an image is not of the input size
     */
    public NDArray toBatch(NDManager manager, List<PreparedImage> images) {
        int n = images.size();
        int width = spec.width();
        int height = spec.height();
        int perImage = width * height * 3;
        if (n == 0) {
            throw new IllegalArgumentException("a batch needs at least one image");
        }
        if ((long) n * perImage > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + n + " images of " + width + "x" + height + " is too large");
        }
        ByteBuffer pixels = manager.allocateDirect(n * perImage);
        for (PreparedImage image : images) {
            if (image.width() != width || image.height() != height) {
                throw new IllegalArgumentException("image is " + image.width() + "x" + image.height()
                        + " but the network takes " + width + "x" + height + "; prepare it with this preprocessor");
            }
            pixels.put(image.rgb());
        }
        pixels.rewind();
        try (NDManager scratch = manager.newSubManager()) {
            NDArray hwc = scratch.create(pixels, new Shape(n, height, width, 3), DataType.UINT8);
            // HWC -> CHW as a view, then one contiguous copy while still 1 byte per value.
            NDArray chw = hwc.transpose(0, 3, 1, 2).flatten().reshape(n, 3, height, width);
            NDArray batch = chw.toType(DataType.FLOAT32, false);
            batch.muli(scratch.create(scale, new Shape(1, 3, 1, 1)))
                    .subi(scratch.create(offset, new Shape(1, 3, 1, 1)));
            batch.attach(manager);
            return batch;
        }
    }

    /** Records the first decoder warning; any warning means the pixels cannot be trusted. */
    private static final class FirstWarning implements IIOReadWarningListener {
        private volatile String message;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            if (message == null) {
                message = warning;
            }
        }
    }

    private static ImageReaderSpi readerFor(String formatName) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
        if (!readers.hasNext()) {
            throw new IllegalStateException("this JVM has no ImageIO " + formatName + " reader");
        }
        ImageReader reader = readers.next();
        ImageReaderSpi spi = reader.getOriginatingProvider();
        reader.dispose();
        return spi;
    }
}
