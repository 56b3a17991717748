package io.maskstream.schemas;

import io.maskstream.schemas.serde.SchemaRegistryException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer on a thread of its own, polling until closed: the one loop every service that follows a topic outside
 * Kafka Streams runs on (the webhook feed, the dashboard, the release follower, the trainer).
 *
 * <p>What it guarantees:
 * <ul>
 *   <li>{@link #close()} returns within a bounded time: it ends a {@code poll} with {@code wakeup()} (never an
 *       interrupt, which would break the consumer's own close), ends a {@link #pause} at once, lets the body finish
 *       ({@link Body#close}, e.g. a last commit), then closes the consumer.</li>
 *   <li>A record the deserializer refuses because the schema registry cannot be reached is read again after a wait;
 *       one it refuses for itself goes to {@link Body#unreadable} (by default: logged and skipped).</li>
 *   <li>Any other Kafka error is logged and the loop goes on after a wait; an error of the body's own restarts it
 *       with a fresh consumer after a backoff (1 s doubling to 30 s), {@link Body#open} called again.</li>
 * </ul>
 */
public final class ConsumerLoop<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final long RETRY_MS = 2_000;
    private static final long BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    /** What a loop does with its consumer; every method runs on the loop's thread. */
    public interface Body<K, V> {
        /** A new consumer (the first, or one after a restart): subscribe or assign and position it. */
        void open(Consumer<K, V> consumer);

        /**
         * Before each poll; false skips the poll this time (e.g. nothing is assigned yet; call {@link #pause} to
         * wait). Default: poll.
         */
        default boolean beforePoll(Consumer<K, V> consumer) {
            return true;
        }

        /** How long each poll waits. */
        default Duration pollTimeout() {
            return Duration.ofMillis(500);
        }

        /** The records of one poll. */
        void records(Consumer<K, V> consumer, ConsumerRecords<K, V> records);

        /** A record that cannot be read (not for lack of a registry). Default: logged and skipped. */
        default void unreadable(Consumer<K, V> consumer, RecordDeserializationException e) {
            LOG.warn("Record {}@{} cannot be read and is skipped: {}", e.topicPartition(), e.offset(),
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
        }

        /** A Kafka error the loop waits out (it goes on after {@code 2 s}), e.g. to show it. Default: nothing. */
        default void failed(KafkaException e) {
        }

        /** The loop is closing: the last thing done with this consumer (e.g. a final commit). */
        default void close(Consumer<K, V> consumer) {
        }
    }

    private final String name;
    private final Supplier<Consumer<K, V>> consumers;
    private final Body<K, V> body;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile Consumer<K, V> consumer;
    private volatile int restarts;

    /**
     * @param name      the thread's name, and how logs call the loop
     * @param consumers makes a consumer (called again after a restart)
     */
    public ConsumerLoop(String name, Supplier<Consumer<K, V>> consumers, Body<K, V> body) {
        this.name = name;
        this.consumers = consumers;
        this.body = body;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    public ConsumerLoop<K, V> start() {
        thread.start();
        return this;
    }

    /** How often the loop restarted with a fresh consumer after a failure. */
    public int restarts() {
        return restarts;
    }

    public boolean isClosed() {
        return closed;
    }

    private void run() {
        long backoff = BACKOFF_MS;
        while (!closed) {
            long started = System.currentTimeMillis();
            try {
                follow();
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                if (System.currentTimeMillis() - started > 60_000) {
                    backoff = BACKOFF_MS;
                }
                restarts++;
                LOG.error("{} failed ({}); starting again with a new consumer in {} ms", name, e.toString(), backoff, e);
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /** One consumer's life, until closed (returns) or a failure of the body (throws). */
    private void follow() {
        Consumer<K, V> c = consumers.get();
        consumer = c;
        try {
            if (closed) {
                return;
            }
            body.open(c);
            while (!closed) {
                try {
                    if (body.beforePoll(c)) {
                        body.records(c, c.poll(body.pollTimeout()));
                    }
                } catch (WakeupException e) {
                    // close() woke us up; the loop condition ends it
                } catch (RecordDeserializationException e) {
                    if (e.getCause() instanceof SchemaRegistryException) {
                        LOG.warn("{} cannot reach the schema registry ({}); reading {}@{} again in {} ms", name,
                                e.getCause().getMessage(), e.topicPartition(), e.offset(), RETRY_MS);
                        c.seek(e.topicPartition(), e.offset());
                        pause(RETRY_MS);
                    } else {
                        body.unreadable(c, e);
                    }
                } catch (InterruptException e) {
                    throw e;
                } catch (KafkaException e) {
                    if (!closed) {
                        LOG.warn("{}: {}; going on in {} ms", name, e.toString(), RETRY_MS);
                        body.failed(e);
                        pause(RETRY_MS);
                    }
                }
            }
            try {
                body.close(c);
            } catch (RuntimeException e) {
                LOG.warn("{} did not finish cleanly: {}", name, e.toString());
            }
        } finally {
            consumer = null;
            try {
                c.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            } catch (RuntimeException e) {
                LOG.debug("{}: consumer did not close cleanly: {}", name, e.toString());
            }
        }
    }

    /** Waits {@code millis}, or less when the loop is closed meanwhile; false when closed. */
    public boolean pause(long millis) {
        try {
            return !closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the loop: ends a poll or a pause, lets the body finish, closes the consumer. Bounded wait. */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        Consumer<K, V> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_TIMEOUT.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("{} still closing; leaving it (daemon)", name);
            }
        }
    }
}
