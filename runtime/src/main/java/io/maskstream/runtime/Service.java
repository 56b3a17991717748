package io.maskstream.runtime;

/**
 * The one lifecycle every maskstream service shares, and nothing else: started once, closed once.
 * {@link #close()} must be safe to call when {@link #start()} failed half-way, and more than once.
 */
public interface Service extends AutoCloseable {

    /** A short name for logs, e.g. {@code processor}. */
    String name();

    /** Starts the service; returns once it is running (or throws, having released what it took). */
    void start() throws Exception;

    /** Stops the service and releases every resource it holds. */
    @Override
    void close();
}
