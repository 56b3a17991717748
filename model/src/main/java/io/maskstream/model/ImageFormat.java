package io.maskstream.model;

/**
 * What the first bytes of an encoded image say it is. We trust the bytes, never a declared content type:
 * cameras and producers mislabel, and the decoder has to agree with the bytes anyway.
 */
enum ImageFormat {
    JPEG(true),
    PNG(true),
    GIF(false),
    BMP(false),
    TIFF(false),
    WEBP(false),
    HEIF_OR_AVIF(false),
    UNKNOWN(false);

    private final boolean supported;

    ImageFormat(boolean supported) {
        this.supported = supported;
    }

    boolean supported() {
        return supported;
    }

    static ImageFormat sniff(byte[] b) {
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (startsWith(b, 0, 'B', 'M') && b.length >= 26) {
            return BMP;
        }
        if (startsWith(b, 0, 'I', 'I', 0x2A, 0x00) || startsWith(b, 0, 'M', 'M', 0x00, 0x2A)) {
            return TIFF;
        }
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            return WEBP;
        }
        if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
            return HEIF_OR_AVIF;
        }
        return UNKNOWN;
    }

    private static boolean startsWith(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
