package io.maskstream.systemtests;

import io.maskstream.events.Frame;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Frames sent from a background thread at a steady rate, round-robin over some cameras, until closed; remembers
 * every frame id ({@code camera/sequence}) it sent, for the ledger to account for.
 */
final class FrameStream implements AutoCloseable {

    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;

    FrameStream(String bootstrap, String registryUrl, String topic, List<String> cameras, List<byte[]> images,
                double framesPerSecond) {
        long pauseNanos = (long) (1e9 / framesPerSecond);
        thread = new Thread(() -> {
            try (KafkaProducer<String, Frame> p = Pipelines.frameProducer(bootstrap, registryUrl, Map.of())) {
                long next = System.nanoTime();
                for (long i = 0; !stop; i++) {
                    String camera = cameras.get((int) (i % cameras.size()));
                    long seq = i / cameras.size();
                    p.send(new ProducerRecord<>(topic, camera, Pipelines.frame(camera, seq,
                            images.get((int) (i % images.size())))), (m, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    sent.add(camera + "/" + seq);
                    next += pauseNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                p.flush();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "frame-stream");
        thread.start();
    }

    /** Ids of the frames sent so far. */
    Set<String> sent() {
        return sent;
    }

    /** Stops sending, flushes, and rethrows a send failure if there was one. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("sending frames failed: " + failure.get(), failure.get());
        }
    }
}
