package io.maskstream.alerts;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook POST, both sides of it: maskstream {@link #sign}s each request with
 * {@code alerts.webhook.secret}, and a receiver {@link #verify}s it with the same secret. The signed text is
 * {@code <unix seconds> + "." + <the raw body>}, sent as {@value #TIMESTAMP_HEADER}: {@code <unix seconds>} and
 * {@value #SIGNATURE_HEADER}: {@code v1=<hex HMAC-SHA256>}. Binding the timestamp into the signature lets a
 * receiver refuse a replayed request once it is older than its tolerance; the comparison takes constant time.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "X-Maskstream-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Maskstream-Signature";
    /** The version tag of the one scheme there is; a header may carry several {@code v1=} values, comma-separated. */
    public static final String SCHEME = "v1";
    /** A tolerance that allows for clock skew and a slow network, and is short enough to stop replays. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private static final String HMAC = "HmacSHA256";

    private WebhookSignature() {
    }

    /** The {@value #SIGNATURE_HEADER} value for {@code body} sent at {@code timestampSeconds}: {@code v1=<hex>}. */
    public static String sign(String secret, long timestampSeconds, byte[] body) {
        return SCHEME + "=" + HexFormat.of().formatHex(hmac(secret, timestampSeconds, body));
    }

    /**
     * True when {@code signatureHeader} holds a {@code v1} signature of {@code timestampHeader + "." + body} by
     * {@code secret}, and that timestamp is within {@code tolerance} of {@code now} (either side: a clock ahead
     * is skew too). False for a missing or malformed header, a stale or future timestamp, or any other signature.
     */
    public static boolean verify(String secret, String timestampHeader, String signatureHeader, byte[] body,
                                 Instant now, Duration tolerance) {
        if (secret == null || secret.isEmpty() || timestampHeader == null || signatureHeader == null || body == null) {
            return false;
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(timestampHeader.trim());
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = hmac(secret, timestamp, body);
        boolean match = false;
        for (String part : signatureHeader.split(",")) {
            String p = part.trim();
            if (!p.startsWith(SCHEME + "=")) {
                continue;
            }
            byte[] given;
            try {
                given = HexFormat.of().parseHex(p.substring(SCHEME.length() + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            match |= MessageDigest.isEqual(expected, given);
        }
        return match;
    }

    private static byte[] hmac(String secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable: " + e.getMessage(), e); // every JVM has it
        }
    }
}
