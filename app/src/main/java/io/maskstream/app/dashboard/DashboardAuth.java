package io.maskstream.app.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The dashboard's credentials and the check of one request's {@code Authorization} header against them: a bearer
 * token, HTTP Basic, or both (either then passes). Secrets are held only as SHA-256 digests and compared with
 * {@link MessageDigest#isEqual}, so the comparison takes as long whatever the guess, its length included; nothing
 * here logs or prints a credential ({@link #toString()} names only the schemes).
 */
final class DashboardAuth {

    static final String REALM = "maskstream dashboard";

    private final byte[] token;
    private final byte[] basic;

    /** Empty strings: that scheme is off. {@code user} and {@code password} go together. */
    DashboardAuth(String token, String user, String password) {
        this.token = token.isEmpty() ? null : sha256(token);
        this.basic = user.isEmpty() ? null : sha256(user + ":" + password);
    }

    /** True when at least one scheme is configured, so every request must pass {@link #allows}. */
    boolean required() {
        return token != null || basic != null;
    }

    /** Whether a request with this {@code Authorization} header (null: none) may be served. */
    boolean allows(String authorization) {
        if (!required()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        String header = authorization.trim();
        int space = header.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
        String value = header.substring(space + 1).trim();
        if (scheme.equals("bearer") && token != null) {
            return MessageDigest.isEqual(token, sha256(value));
        }
        if (scheme.equals("basic") && basic != null) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                return false;
            }
            return MessageDigest.isEqual(basic, sha256(decoded));
        }
        return false;
    }

    /** The {@code WWW-Authenticate} challenges of a 401, Basic first so a browser prompts for it. */
    List<String> challenges() {
        List<String> c = new ArrayList<>(2);
        if (basic != null) {
            c.add("Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        }
        if (token != null) {
            c.add("Bearer realm=\"" + REALM + "\"");
        }
        return c;
    }

    private static byte[] sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e); // every JVM has it
        }
    }

    @Override
    public String toString() {
        List<String> schemes = new ArrayList<>(2);
        if (basic != null) {
            schemes.add("Basic");
        }
        if (token != null) {
            schemes.add("Bearer token");
        }
        return schemes.isEmpty() ? "none" : String.join(" or ", schemes);
    }
}
