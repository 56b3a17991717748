package io.maskstream.systemtests;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * Ways image bytes could leak into text or events, and detectors for each: the JPEG and PNG signatures as raw
 * bytes, as Latin-1 or UTF-8 text, as Avro's JSON escapes, as Java's {@code Arrays.toString}, as hex and as base64;
 * chunks of the very images sent, in base64 and hex; long runs of binary characters or base64 text.
 */
final class ImageLeaks {

    private static final byte[] JPEG_SOI = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** Ways the JPEG start marker FF D8 FF looks when bytes are turned into text. */
    private static final List<String> SIGNATURE_TEXTS = List.of(
            "\u00FF\u00D8\u00FF",          // bytes read as Latin-1
            "\uFFFD\uFFFD\uFFFD",          // bytes read as UTF-8 (invalid: replacement characters)
            "\\u00ff\\u00d8\\u00ff",       // Avro's toString of a bytes field (JSON escapes), lower-cased below
            "-1, -40, -1",                 // Arrays.toString(byte[])
            "ffd8ffe0", "ffd8ffdb", "ffd8ffee", // hex of the marker and the segment after it (a bare "ffd8ff" turns up
                                                // by chance in hex ids)
            "/9j/",                        // base64 of FF D8 FF
            "ivborw0kggo",                 // base64 of the PNG signature, lower-cased below
            "\\x89png", "89504e470d0a1a0a");
    private static final Pattern BINARY_RUN = Pattern.compile("[\\x00-\\x08\\x0E-\\x1F\\x7F-\\x9F\\uFFFD]{8,}");
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{200,}={0,2}");

    private ImageLeaks() {
    }

    /** Whether {@code bytes} contain the JPEG start marker or the PNG signature anywhere. */
    static boolean containsImageSignature(byte[] bytes) {
        return indexOf(bytes, JPEG_SOI) >= 0 || indexOf(bytes, PNG_SIGNATURE) >= 0;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Whether {@code bytes} hold a 16-byte chunk taken from the middle of any of {@code images}. */
    static boolean containsChunkOf(byte[] bytes, List<byte[]> images) {
        for (byte[] image : images) {
            if (image.length >= 64) {
                int from = image.length / 2;
                if (indexOf(bytes, java.util.Arrays.copyOfRange(image, from, from + 16)) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Text fingerprints of images that were sent: base64 and hex of a 48-byte chunk from the middle of each,
     * so a log line holding any encoding of the content itself is found, not only of its first bytes.
     */
    static List<String> fingerprints(List<byte[]> images) {
        List<String> out = new ArrayList<>();
        for (byte[] image : images) {
            if (image.length < 200) {
                continue;
            }
            int from = (image.length / 2) / 3 * 3;
            byte[] chunk = java.util.Arrays.copyOfRange(image, from, from + 48);
            out.add(Base64.getEncoder().encodeToString(chunk));
            out.add(HexFormat.of().formatHex(chunk));
        }
        return out;
    }

    /** The lines that look like they carry image bytes, each with what was found. */
    static List<String> suspiciousLines(List<String> lines, List<String> fingerprints) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String lower = line.toLowerCase(Locale.ROOT);
            String why = null;
            for (String s : SIGNATURE_TEXTS) {
                String needle = s.toLowerCase(Locale.ROOT);
                if (lower.contains(needle)) {
                    why = "image signature as text '" + s.replaceAll("[^\\x20-\\x7E]", "?") + "'";
                    break;
                }
            }
            if (why == null && BINARY_RUN.matcher(line).find()) {
                why = "a run of binary characters";
            }
            if (why == null && BASE64_RUN.matcher(line).find()) {
                why = "a long base64 run";
            }
            if (why == null) {
                for (String f : fingerprints) {
                    if (line.contains(f) || lower.contains(f)) {
                        why = "a chunk of a sent image";
                        break;
                    }
                }
            }
            if (why != null) {
                out.add(why + ": " + (line.length() > 300 ? line.substring(0, 300) + "..." : line)
                        .replaceAll("[^\\x20-\\x7E]", "?"));
            }
        }
        return out;
    }

    /** Paths of every {@code bytes} or {@code fixed} field reachable from {@code schema} (records, unions, arrays, maps). */
    static List<String> binaryFields(Schema schema) {
        List<String> out = new ArrayList<>();
        walk(schema, schema.getName(), out, new java.util.HashSet<>());
        return out;
    }

    private static void walk(Schema s, String path, List<String> out, java.util.Set<String> seen) {
        switch (s.getType()) {
            case BYTES, FIXED -> out.add(path + " (" + s.getType().getName() + ")");
            case RECORD -> {
                if (seen.add(s.getFullName())) {
                    for (Schema.Field f : s.getFields()) {
                        walk(f.schema(), path + "." + f.name(), out, seen);
                    }
                }
            }
            case UNION -> s.getTypes().forEach(t -> walk(t, path, out, seen));
            case ARRAY -> walk(s.getElementType(), path + "[]", out, seen);
            case MAP -> walk(s.getValueType(), path + "{}", out, seen);
            default -> {
                // primitives and enums carry no bytes
            }
        }
    }
}
