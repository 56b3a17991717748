package io.maskstream.app.dashboard;

/**
 * The latest snapshot JSON, published once a second by the ticker and awaited by every server-sent-event
 * stream: one serialization per second however many pages are open, and a slow page only ever delays
 * its own stream.
 */
final class SnapshotFeed {

    /** A published snapshot and its sequence number (increasing by one per publication). */
    record Published(long sequence, String json) {
    }

    private long sequence;
    private String json = "{}";
    private boolean closed;

    synchronized void publish(String snapshotJson) {
        json = snapshotJson;
        sequence++;
        notifyAll();
    }

    synchronized Published latest() {
        return new Published(sequence, json);
    }

    /**
     * The first snapshot newer than {@code after}, or the latest one (same sequence) when none came within
     * {@code timeoutMillis}; null once the feed is closed.
     */
    synchronized Published next(long after, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!closed && sequence <= after) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return closed ? null : new Published(sequence, json);
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
