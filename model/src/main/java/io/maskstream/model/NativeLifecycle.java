package io.maskstream.model;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * How every loaded network (classifier, trained or pretrained detector) lets passes run on several threads at once and
 * is closed safely: passes share a read lock; {@link #close} takes the write lock, so it waits for passes in flight,
 * frees the native resources once, and every later pass fails cleanly instead of touching freed memory.
 */
final class NativeLifecycle {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private boolean closed;

    /** @param what names the network in the error after close, e.g. "model v3" */
    NativeLifecycle(String what) {
        this.what = what;
    }

    /**
     * Runs one pass unless closed.
     *
     * @throws IllegalStateException after {@link #close}
     */
    <T> T use(Supplier<T> pass) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            if (closed) {
                throw new IllegalStateException(what + " is closed");
            }
            return pass.get();
        } finally {
            read.unlock();
        }
    }

    /** Waits for passes in flight, then runs {@code free} (once, however often close is called). */
    void close(Runnable free) {
        ReentrantReadWriteLock.WriteLock write = lock.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            free.run();
        } finally {
            write.unlock();
        }
    }
}
