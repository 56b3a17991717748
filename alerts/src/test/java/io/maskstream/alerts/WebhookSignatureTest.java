package io.maskstream.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The webhook signature both ways, against a vector computed with Python's hmac module (the README's receiver). */
class WebhookSignatureTest {

    static final String SECRET = "whsec-abc";
    static final long T = 1_700_000_000L;
    static final byte[] BODY = "{\"alertId\":\"cam-1/NO_MASK/0\"}".getBytes(StandardCharsets.UTF_8);
    /** {@code hmac.new(b'whsec-abc', b'1700000000.' + body, hashlib.sha256).hexdigest()} */
    static final String PYTHON = "v1=1c9c165a3e1dbeaf58528429227ccc5ddb718b829caa907e4ff78054ec5dd439";
    static final Duration TOLERANCE = Duration.ofMinutes(5);

    static boolean verify(String secret, String timestamp, String signature, byte[] body, long nowSeconds) {
        return WebhookSignature.verify(secret, timestamp, signature, body, Instant.ofEpochSecond(nowSeconds), TOLERANCE);
    }

    @Test
    void signsTimestampDotBodyAsPythonsHmacDoes() {
        assertThat(WebhookSignature.sign(SECRET, T, BODY)).isEqualTo(PYTHON);
        assertThat(verify(SECRET, "1700000000", PYTHON, BODY, T + 10)).isTrue();
    }

    @Test
    void anAlteredBodyTimestampSecretOrSignatureFails() {
        byte[] altered = "{\"alertId\":\"cam-2/NO_MASK/0\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(verify(SECRET, "1700000000", PYTHON, altered, T)).as("body").isFalse();
        assertThat(verify(SECRET, "1700000001", PYTHON, BODY, T)).as("timestamp").isFalse();
        assertThat(verify("whsec-abd", "1700000000", PYTHON, BODY, T)).as("secret").isFalse();
        assertThat(verify(SECRET, "1700000000", PYTHON.replace("1c9c", "1c9d"), BODY, T)).as("signature").isFalse();
        assertThat(verify(SECRET, "1700000000", PYTHON.substring(3), BODY, T)).as("no v1= tag").isFalse();
        assertThat(verify(SECRET, "1700000000", "v0=" + PYTHON.substring(3), BODY, T)).as("other scheme").isFalse();
        assertThat(verify(SECRET, "1700000000", PYTHON.substring(0, 40), BODY, T)).as("truncated").isFalse();
    }

    @Test
    void aTimestampOutsideTheToleranceFailsEitherSide() {
        assertThat(verify(SECRET, "1700000000", PYTHON, BODY, T + 300)).isTrue();
        assertThat(verify(SECRET, "1700000000", PYTHON, BODY, T + 301)).as("replayed after 5 min").isFalse();
        assertThat(verify(SECRET, "1700000000", PYTHON, BODY, T - 300)).isTrue();
        assertThat(verify(SECRET, "1700000000", PYTHON, BODY, T - 301)).as("from the future").isFalse();
    }

    @Test
    void missingOrMalformedHeadersFailWithoutThrowing() {
        assertThat(verify(SECRET, null, PYTHON, BODY, T)).isFalse();
        assertThat(verify(SECRET, "1700000000", null, BODY, T)).isFalse();
        assertThat(verify(SECRET, "soon", PYTHON, BODY, T)).isFalse();
        assertThat(verify(SECRET, "1700000000", "v1=zz", BODY, T)).isFalse();
        assertThat(verify("", "1700000000", PYTHON, BODY, T)).as("no secret").isFalse();
        assertThat(verify(SECRET, "1700000000", PYTHON, null, T)).isFalse();
    }

    @Test
    void oneOfSeveralSignaturesMatchingIsEnough() {
        assertThat(verify(SECRET, "1700000000", "v1=00ff, " + PYTHON, BODY, T)).isTrue();
    }
}
