package io.maskstream.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Third-party files {@code bin/test-assets} fetches at test-setup time into the folder the build passes as
 * {@code maskstream.assets}. A test that needs one calls {@link #require}: without the file it is skipped, not failed.
 */
public final class TestAssets {

    public static final String BLAZEFACE_FRONT = "blazeface/face_detection_front_128x128_barracuda.onnx";
    public static final String BLAZEFACE_BACK = "blazeface/face_detection_back_256x256_barracuda.onnx";
    public static final String ASTRONAUT = "skimage/astronaut.png";
    public static final String LFW_SUBSET = "skimage/lfw_subset.npy";

    private static final Pattern NPY_SHAPE = Pattern.compile("'shape': \\((\\d+), (\\d+), (\\d+)\\)");

    private TestAssets() {
    }

    /** The asset's path; skips the calling test when it is absent. */
    public static Path require(String relative) {
        String folder = System.getProperty("maskstream.assets", "");
        Path file = folder.isBlank() ? null : Path.of(folder).resolve(relative);
        assumeTrue(file != null && Files.isRegularFile(file), () -> "test asset " + relative + " is not in "
                + (folder.isBlank() ? "(no maskstream.assets folder set)" : folder) + "; run bin/test-assets");
        return file;
    }

    /**
     * skimage's {@code lfw_subset.npy}: 200 grey 25×25 images, float64 in 0..1 (the first 100 faces, the other 100
     * not), as TYPE_3BYTE_BGR images.
     */
    static List<BufferedImage> lfwSubset(Path npy) throws IOException {
        byte[] bytes = Files.readAllBytes(npy);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N' || bytes[6] != 1) {
            throw new IOException(npy + " is not a version 1 .npy file");
        }
        int headerLength = in.getShort(8) & 0xffff;
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        Matcher shape = NPY_SHAPE.matcher(header);
        if (!header.contains("'descr': '<f8'") || header.contains("'fortran_order': True") || !shape.find()) {
            throw new IOException(npy + " is not a C-ordered float64 array of 3 dimensions: " + header.trim());
        }
        int n = Integer.parseInt(shape.group(1));
        int h = Integer.parseInt(shape.group(2));
        int w = Integer.parseInt(shape.group(3));
        in.position(10 + headerLength);
        List<BufferedImage> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = (int) Math.round(Math.max(0, Math.min(1, in.getDouble())) * 255);
                    image.setRGB(x, y, (v << 16) | (v << 8) | v);
                }
            }
            images.add(image);
        }
        return images;
    }
}
