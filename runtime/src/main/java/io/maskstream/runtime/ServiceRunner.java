package io.maskstream.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts services in order, stops them in reverse order on Ctrl-C (SIGINT/SIGTERM) or when
 * {@link #stop()} is called, and never leaves a started service unclosed.
 */
public final class ServiceRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    private final List<Service> started = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Thread hook;

    /** Starts {@code service}; if it fails, everything started so far is closed and the error rethrown. */
    public synchronized <S extends Service> S start(S service) throws Exception {
        if (hook == null) {
            hook = new Thread(this::closeAll, "maskstream-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            LOG.info("Starting {}", service.name());
            service.start();
            started.add(service);
            return service;
        } catch (Exception | Error e) {
            service.close();
            closeAll();
            throw e;
        }
    }

    /** Blocks until {@link #stop()} or JVM shutdown. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops everything (as Ctrl-C does). */
    public void stop() {
        closeAll();
    }

    private void closeAll() {
        List<Service> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(started);
            started.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            Service s = toClose.get(i);
            try {
                LOG.info("Stopping {}", s.name());
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("Stopping {} failed: {}", s.name(), e.toString());
            }
        }
        stopped.countDown();
    }

    @Override
    public void close() {
        closeAll();
        synchronized (this) {
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
                hook = null;
            }
        }
    }
}
