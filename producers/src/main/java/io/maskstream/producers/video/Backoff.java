package io.maskstream.producers.video;

/** Exponential backoff between reconnection attempts: initial, doubled per failure, capped; reset on success. */
final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private long nextMs;
    private int failures;

    Backoff(long initialMs, long maxMs) {
        if (initialMs < 1 || maxMs < initialMs) {
            throw new IllegalArgumentException("need 1 <= initial <= max, got " + initialMs + " and " + maxMs);
        }
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.nextMs = initialMs;
    }

    /** The wait before the next attempt; each call doubles the following one, up to the cap. */
    long nextDelayMs() {
        long d = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        failures++;
        return d;
    }

    /** Consecutive failures since the last success. */
    int failures() {
        return failures;
    }

    void reset() {
        nextMs = initialMs;
        failures = 0;
    }
}
