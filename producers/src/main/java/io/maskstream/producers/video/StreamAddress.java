package io.maskstream.producers.video;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a video comes from: a file, a network stream or a capture device, with the FFmpeg input format to force
 * (if any). {@link #redacted()} is the only form that may be logged or stored: user info and secret-looking query
 * parameters are masked.
 *
 * @param location what FFmpeg opens (path, URL or device)
 * @param kind     file, network stream or device
 * @param format   FFmpeg input format to force (e.g. {@code video4linux2}), or null to let FFmpeg probe
 */
public record StreamAddress(String location, Kind kind, String format) {

    /** Files end; network streams and devices are live and are reconnected when they drop. */
    public enum Kind { FILE, NETWORK, DEVICE }

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    private static final Pattern USER_INFO = Pattern.compile("://[^/@\\s]*@");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;](?:password|passwd|pass|pwd|token|access_token|auth|key|apikey|api_key|secret|signature|sig)=)[^&;#\\s]*");

    public StreamAddress {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(kind, "kind");
        if (location.isBlank()) {
            throw new IllegalArgumentException("empty video location");
        }
    }

    /**
     * Classifies {@code location}: {@code /dev/video*} is a V4L2 device (format {@code video4linux2} unless
     * {@code format} says otherwise), {@code scheme://...} a network stream ({@code file://} a file), anything else
     * a file path.
     */
    public static StreamAddress parse(String location, String format) {
        String f = format == null || format.isBlank() ? null : format;
        if (location.startsWith("/dev/video") || "video4linux2".equals(f) || "v4l2".equals(f)) {
            return new StreamAddress(location, Kind.DEVICE, f == null ? "video4linux2" : f);
        }
        if (SCHEME.matcher(location).matches()) {
            if (location.toLowerCase(Locale.ROOT).startsWith("file://")) {
                return new StreamAddress(location.substring("file://".length()), Kind.FILE, f);
            }
            return new StreamAddress(location, Kind.NETWORK, f);
        }
        return new StreamAddress(location, Kind.FILE, f);
    }

    /** True for streams that do not end: network streams and devices. */
    public boolean live() {
        return kind != Kind.FILE;
    }

    /** The location with credentials masked: safe for logs and for the frames' {@code source} field. */
    public String redacted() {
        return redact(location);
    }

    /** Masks {@code user:password@} and secret-looking query parameters in any text that may hold a URL. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String s = USER_INFO.matcher(text).replaceAll("://***@");
        return SECRET_PARAM.matcher(s).replaceAll("$1***");
    }

    /** Masks this address's own location (and any other URL credentials) in a message, e.g. an FFmpeg error. */
    String scrub(String message) {
        if (message == null) {
            return null;
        }
        return redact(message.replace(location, redacted()));
    }

    @Override
    public String toString() {
        return kind + " " + redacted() + (format == null ? "" : " (format " + format + ")");
    }
}
