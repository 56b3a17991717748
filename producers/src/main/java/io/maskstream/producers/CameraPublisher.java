package io.maskstream.producers;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.FrameLabel;
import io.maskstream.datasets.Frames;
import io.maskstream.datasets.ImageCodec;

import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs many cameras in one process and publishes their captures with one idempotent producer. Each camera is
 * paced at its own fps on a shared scheduler (self-paced and unpaced sources get a thread of their own), and
 * its frames carry the capture time and a sequence number that starts at 0 and grows by one per frame handed to
 * Kafka; one thread at a time serves a camera and the producer keeps per-partition order, so a camera's frames
 * land in sequence order. Frames are keyed by camera id; labelled captures go to labeled-frames keyed by person id.
 *
 * <p>A frame over {@code topic.frames.max.message.bytes} is refused before sending (or by the broker, if the
 * topic's own limit is lower): a logged error and a {@code maskstream.producer.frames.rejected} count for that
 * frame, never the end of the camera. It does not disappear either: it keeps its sequence number and a
 * {@code DeadLetter} (reason {@code IMAGE_TOO_LARGE}, camera id and sequence, no image bytes, partition and offset
 * -1) goes to the target topic's dead-letter topic, so every sequence number of a camera ends up as a frame or
 * a dead letter. A camera whose source fails ends alone; the others go on.
 */
public final class CameraPublisher implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(CameraPublisher.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final ProducersConfig config;
    private final MeterRegistry registry;
    private final List<CameraRun> runs = new ArrayList<>();
    private final Topics topics;
    private final int maxFrameBytes;
    private final String framesTopic;
    private final String labeledTopic;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private Producer<String, byte[]> producer;
    private Serializer<Frame> frameSerializer;
    private Serializer<LabeledFrame> labeledSerializer;
    private Serializer<DeadLetter> deadLetterSerializer;
    /** {@link ProducersConfig#LABELED_ALSO_FRAMES}: labelled photos go to the frames topic too. */
    private final boolean labeledAlsoFrames;
    /** Target topic -> its dead-letter topic, for the targets whose dead-letter topic exists. */
    private final Map<String, String> deadLetterTopics = new ConcurrentHashMap<>();
    /** Sends the dead letters of frames the broker refused: never from the producer's own I/O thread. */
    private ExecutorService deadLetterSender;
    private ScheduledExecutorService scheduler;
    private Gauge activeGauge;
    private volatile boolean stopping;
    private boolean started;
    private boolean closed;

    public CameraPublisher(ProducersConfig config, MeterRegistry registry, List<? extends CameraSource> cameras) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.topics = new Topics(config);
        this.maxFrameBytes = topics.maxFrameBytes();
        this.framesTopic = topics.frames().name();
        this.labeledAlsoFrames = config.getBoolean(ProducersConfig.LABELED_ALSO_FRAMES);
        this.labeledTopic = topics.labeledFrames().name();
        Set<String> ids = new HashSet<>();
        for (CameraSource c : cameras) {
            if (!ids.add(c.cameraId())) {
                throw new IllegalArgumentException("Two cameras have the id '" + c.cameraId() + "'; camera ids must be "
                        + "unique (each numbers its own frames)");
            }
            runs.add(new CameraRun(c));
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("No cameras to publish");
        }
    }

    @Override
    public String name() {
        return "producers";
    }

    @Override
    public synchronized void start() throws Exception {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        if (config.getBoolean(ProducersConfig.CHECK_TOPICS)) {
            checkTopics();
        } else {
            targets().forEach(t -> deadLetterTopics.put(t, config.deadLetterTopic(t)));
        }
        producer = new KafkaProducer<>(ProducerSettings.of(config, maxFrameBytes));
        frameSerializer = topics.frames().valueSerde().serializer();
        labeledSerializer = topics.labeledFrames().valueSerde().serializer();
        deadLetterSerializer = topics.deadLetters(framesTopic).valueSerde().serializer();
        deadLetterSender = Executors.newSingleThreadExecutor(daemon("dead-letter-sender"));
        registerSchemas();
        activeGauge = Gauge.builder("maskstream.producer.cameras.active", active, AtomicInteger::get)
                .description("Cameras of this process still running").strongReference(true).register(registry);
        int scheduled = (int) runs.stream().filter(r -> !r.ownThread()).count();
        if (scheduled > 0) {
            ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(
                    Math.min(scheduled, Math.max(2, Runtime.getRuntime().availableProcessors())), daemon("camera-scheduler"));
            pool.setRemoveOnCancelPolicy(true);
            pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a stop does not wait for the next tick
            scheduler = pool;
        }
        int index = 0;
        for (CameraRun run : runs) {
            active.incrementAndGet();
            if (run.ownThread()) {
                Thread t = daemon("camera-" + run.id).newThread(run::loop);
                run.thread = t;
                threads.add(t);
                t.start();
            } else {
                // stagger first frames across one period so cameras do not all fire at once
                long offset = run.periodNanos * index++ / Math.max(1, scheduled);
                run.nextTick = System.nanoTime() + offset;
                scheduler.schedule(run::tick, offset, TimeUnit.NANOSECONDS);
            }
        }
        LOG.info("Publishing {} camera(s) {} to {} (frame limit {} bytes)", runs.size(),
                runs.stream().map(r -> r.id + "@" + (r.source.selfPaced() ? "own pace"
                        : r.source.fps() > 0 ? r.source.fps() + "fps" : "max")).toList(),
                targets(), maxFrameBytes);
    }

    private Set<String> targets() {
        Set<String> t = new LinkedHashSet<>();
        runs.forEach(r -> {
            t.add(r.source.labeled() ? labeledTopic : framesTopic);
            if (r.source.labeled() && labeledAlsoFrames) {
                t.add(framesTopic);
            }
        });
        return t;
    }

    /**
     * Serializes one probe record per target topic before any camera runs: the value schema is registered (or
     * looked up) once, from one thread, so cameras starting together never race to register the same new subject,
     * and an unreachable registry stops the start instead of failing every frame.
     */
    private void registerSchemas() {
        Capture probe = Capture.of(new byte[0], ImageCodec.JPEG, 0, 0, Instant.EPOCH, "schema probe");
        for (String topic : targets()) {
            try {
                if (topic.equals(labeledTopic)) {
                    FrameLabel label = new FrameLabel("probe", Gender.FEMALE, 0, null, MaskState.NONE, "probe");
                    labeledSerializer.serialize(topic, Frames.labeledFrame("probe", 0, new Capture(probe.image(),
                            probe.contentType(), 0, 0, probe.captureTime(), probe.source(), label)));
                } else {
                    frameSerializer.serialize(topic, Frames.frame("probe", 0, probe));
                }
                String deadLetters = deadLetterTopics.get(topic);
                if (deadLetters != null) {
                    deadLetterSerializer.serialize(deadLetters, tooLarge(topic, "probe", "probe", 0, probe, "probe"));
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("Cannot register the value schema of topic " + topic + " at "
                        + config.getString(CommonConfig.SCHEMA_REGISTRY_URL) + ": " + e.getMessage(), e);
            }
        }
    }

    /** The dead letter of a frame refused for its size: who and which frame, why, and no image bytes. */
    private static DeadLetter tooLarge(String topic, String key, String cameraId, long sequence, Capture c,
                                       String message) {
        return DeadLetter.newBuilder()
                .setOriginalTopic(topic)
                .setOriginalPartition(-1)
                .setOriginalOffset(-1)
                .setOriginalTimestamp(c.captureTime())
                .setOriginalKey(java.nio.ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(null) // a cut image could neither be decoded nor replayed; the message says what it was
                .setReason(DeadLetterReason.IMAGE_TOO_LARGE)
                .setMessage(message)
                .setService("producers")
                .setFailedTime(Instant.now())
                .setCameraId(cameraId)
                .setFrameSequence(sequence)
                .build();
    }

    /**
     * Fails clearly when a target topic is missing; warns when its record limit is below ours, or when its
     * dead-letter topic is missing (frames refused for their size are then only logged and counted).
     */
    private void checkTopics() throws InterruptedException {
        Set<String> needed = targets();
        try (Admin admin = Admin.create(config.kafkaProperties(ServiceConfig.ClientKind.ADMIN))) {
            try {
                admin.describeTopics(needed).allTopicNames().get(30, TimeUnit.SECONDS);
                Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                for (String t : needed) {
                    String deadLetters = config.deadLetterTopic(t);
                    if (existing.contains(deadLetters)) {
                        deadLetterTopics.put(t, deadLetters);
                    } else {
                        LOG.warn("Dead-letter topic {} does not exist: frames for {} refused for their size will only be "
                                + "logged and counted (create it with `maskstream topics create`)", deadLetters, t);
                    }
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new IllegalStateException("A target topic of " + needed + " does not exist; create the topics "
                            + "with `maskstream topics create` (the broker does not create them itself)", e.getCause());
                }
                throw new IllegalStateException("Cannot check topics " + needed + ": " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka at " + config.getList(CommonConfig.BOOTSTRAP_SERVERS)
                        + " did not answer within 30 s while checking topics " + needed, e);
            }
            List<ConfigResource> resources = needed.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            configs.forEach((resource, c) -> {
                ConfigEntry e = c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (e != null && e.value() != null && Long.parseLong(e.value()) < maxFrameBytes) {
                    LOG.warn("Topic {} accepts records up to {} bytes but {} is {}: the broker will refuse frames in "
                                    + "between (each counted as rejected)", resource.name(), e.value(),
                            CommonConfig.TOPIC_FRAMES_MAX_BYTES, maxFrameBytes);
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Could not read the record limits of {}: {}", needed, e.toString());
        }
    }

    /**
     * Waits until every camera has ended and Kafka has acknowledged (or refused) every frame sent.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (runs.stream().allMatch(r -> r.finished)) {
                if (producer != null && inFlight.get() > 0 && !closed()) {
                    try {
                        producer.flush();
                    } catch (RuntimeException e) {
                        // closed meanwhile: in-flight callbacks complete on close
                    }
                }
                if (inFlight.get() == 0) {
                    return true;
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    private synchronized boolean closed() {
        return closed;
    }

    /** Every camera's counts so far. */
    public List<CameraStats> stats() {
        return runs.stream().map(CameraRun::stats).toList();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopping = true;
        long timeoutMs = config.getLong(ProducersConfig.SHUTDOWN_TIMEOUT_MS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                    scheduler.shutdownNow();
                }
            } catch (InterruptedException e) {
                scheduler.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        for (CameraRun run : runs) {
            if (run.source.selfPaced() && run.thread != null) {
                run.thread.interrupt(); // ends a reconnect wait or a real-time pause; FFmpeg reads time out by themselves
            }
        }
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("{} did not stop within {} ms (its source is still blocked); leaving it", t.getName(), timeoutMs);
            }
        }
        for (CameraRun run : runs) {
            if (!run.ownThread()) {
                run.finish(null); // the scheduler has stopped: nobody else touches the source now
            }
        }
        if (deadLetterSender != null) {
            deadLetterSender.shutdown(); // dead letters already handed over are still sent
            try {
                deadLetterSender.awaitTermination(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                        TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofMillis(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
        if (frameSerializer != null) {
            frameSerializer.close();
            labeledSerializer.close();
            deadLetterSerializer.close();
        }
        if (activeGauge != null) {
            registry.remove(activeGauge);
        }
        long published = runs.stream().mapToLong(r -> r.sequence).sum();
        LOG.info("Producers stopped: {} frames published by {} camera(s)", published, runs.size());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name.startsWith("camera-scheduler") ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One camera's state; its source and sequence are touched by one thread at a time. */
    private final class CameraRun {
        final CameraSource source;
        final String id;
        final long periodNanos;
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Counter bytes;
        final Counter skipped;
        final Map<String, Counter> sent = new ConcurrentHashMap<>();
        final Map<String, Counter> rejections = new ConcurrentHashMap<>();
        final Map<String, Counter> errors = new ConcurrentHashMap<>();
        volatile long sequence;
        volatile boolean finished;
        volatile String failure;
        volatile Thread thread;
        long nextTick;
        long lastErrorLog;
        long suppressed;
        long missedTicks;

        CameraRun(CameraSource source) {
            this.source = source;
            this.id = source.cameraId();
            double fps = source.fps();
            this.periodNanos = fps > 0 ? (long) (1e9 / fps) : 0;
            this.bytes = io.micrometer.core.instrument.Counter.builder("maskstream.producer.bytes.sent")
                    .description("Bytes of frame values handed to Kafka").tag("camera", id).register(registry);
            this.skipped = io.micrometer.core.instrument.Counter.builder("maskstream.producer.ticks.skipped")
                    .description("Pacing ticks skipped because the camera could not keep its fps").tag("camera", id)
                    .register(registry);
        }

        boolean ownThread() {
            return source.selfPaced() || periodNanos == 0;
        }

        void loop() {
            try {
                while (!stopping) {
                    Capture c = source.next();
                    if (c == null) {
                        break;
                    }
                    publish(c);
                }
                finish(null);
            } catch (InterruptedException e) {
                finish(null);
            } catch (Throwable e) {
                finish(stopping ? null : e); // while stopping, a closed producer or source is expected
            }
        }

        void tick() {
            if (stopping || finished) {
                return;
            }
            try {
                Capture c = source.next();
                if (c == null) {
                    finish(null);
                    return;
                }
                publish(c);
            } catch (InterruptedException e) {
                finish(null);
                return;
            } catch (Throwable e) {
                finish(stopping ? null : e);
                return;
            }
            long now = System.nanoTime();
            nextTick += periodNanos;
            if (now - nextTick > periodNanos) {
                // more than a tick behind (slow source or machine): skip the missed ticks rather than burst
                long missed = (now - nextTick) / periodNanos;
                long before = missedTicks;
                missedTicks += missed;
                long second = Math.max(5, (long) source.fps());
                if (before < second && missedTicks >= second) {
                    // said once, when the camera has fallen about a second behind (not on a warm-up hiccup)
                    LOG.warn("Camera {} cannot keep {} fps on this machine; skipping ticks (see "
                            + "maskstream.producer.ticks.skipped)", id, source.fps());
                }
                skipped.increment(missed);
                nextTick = now;
            }
            try {
                if (!stopping) {
                    scheduler.schedule(this::tick, Math.max(0, nextTick - now), TimeUnit.NANOSECONDS);
                }
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }

        void publish(Capture c) {
            boolean labeled = c.label() != null;
            String topic = labeled ? labeledTopic : framesTopic;
            String key = labeled ? c.label().personId() : id;
            long seq = sequence;
            byte[] value;
            try {
                value = labeled ? labeledSerializer.serialize(topic, Frames.labeledFrame(id, seq, c))
                        : frameSerializer.serialize(topic, Frames.frame(id, seq, c));
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                error("serialization");
                logLimited("Camera " + id + ": cannot serialize a frame for " + topic + ": " + e.getMessage());
                return;
            }
            int size = value.length + key.getBytes(StandardCharsets.UTF_8).length;
            sequence = seq + 1;
            if (size > maxFrameBytes) {
                rejected.incrementAndGet();
                reject("too_large");
                String message = "Frame " + seq + " of camera " + id + " refused, not sent to " + topic + ": " + size
                        + " bytes is over the limit of " + maxFrameBytes + " (" + CommonConfig.TOPIC_FRAMES_MAX_BYTES + ")"
                        + dimensions(c) + describe(c) + "; lower the resolution or JPEG quality, or raise the limit";
                logLimited("Camera " + id + ": " + message);
                deadLetter(topic, key, seq, c, message);
                return;
            }
            inFlight.incrementAndGet();
            try {
                producer.send(new ProducerRecord<>(topic, null, c.captureTime().toEpochMilli(), key, value),
                        (metadata, exception) -> acknowledged(topic, seq, size, c, exception));
            } catch (KafkaException | IllegalStateException e) { // IllegalStateException: closed while stopping
                inFlight.decrementAndGet();
                failed.incrementAndGet();
                error(e.getClass().getSimpleName());
                logLimited("Camera " + id + ": frame " + seq + " could not be sent: " + e.getMessage());
                return;
            }
            if (labeled && labeledAlsoFrames) {
                publishUnlabeledCopy(seq, c);
            }
        }

        /**
         * The frame of a labelled photo, without its label, to the frames topic under this camera's id and the same
         * sequence number, so the live processor's event for it can be joined with the label. Its outcome is
         * counted under the frames topic ({@code maskstream.producer.frames.sent}, send errors); the camera's
         * own counts stay those of the labelled frames.
         */
        private void publishUnlabeledCopy(long seq, Capture c) {
            byte[] value;
            try {
                value = frameSerializer.serialize(framesTopic, Frames.frame(id, seq, c));
            } catch (RuntimeException e) {
                error("serialization");
                logLimited("Camera " + id + ": cannot serialize the unlabelled copy of frame " + seq + ": " + e.getMessage());
                return;
            }
            int size = value.length + id.length();
            inFlight.incrementAndGet();
            try {
                producer.send(new ProducerRecord<>(framesTopic, null, c.captureTime().toEpochMilli(), id, value),
                        (metadata, exception) -> {
                            try {
                                if (exception == null) {
                                    sent.computeIfAbsent(framesTopic, t -> io.micrometer.core.instrument.Counter
                                            .builder("maskstream.producer.frames.sent").description("Frames acknowledged by Kafka")
                                            .tag("camera", id).tag("topic", t).register(registry)).increment();
                                    bytes.increment(size);
                                } else {
                                    error(exception.getClass().getSimpleName());
                                    logLimited("Camera " + id + ": the unlabelled copy of frame " + seq + " was not "
                                            + "delivered to " + framesTopic + ": " + exception);
                                }
                            } finally {
                                inFlight.decrementAndGet();
                            }
                        });
            } catch (KafkaException | IllegalStateException e) {
                inFlight.decrementAndGet();
                error(e.getClass().getSimpleName());
                logLimited("Camera " + id + ": the unlabelled copy of frame " + seq + " could not be sent: " + e.getMessage());
            }
        }

        private void acknowledged(String topic, long seq, int size, Capture c, Exception exception) {
            try {
                if (exception == null) {
                    acknowledged.incrementAndGet();
                    sent.computeIfAbsent(topic, t -> io.micrometer.core.instrument.Counter.builder("maskstream.producer.frames.sent")
                            .description("Frames acknowledged by Kafka").tag("camera", id).tag("topic", t)
                            .register(registry)).increment();
                    bytes.increment(size);
                } else if (exception instanceof RecordTooLargeException) {
                    rejected.incrementAndGet();
                    reject("broker_too_large");
                    String message = "Frame " + seq + " of camera " + id + " (" + size + " bytes" + dimensions(c)
                            + ") refused by Kafka as too large for topic " + topic + describe(c) + ": "
                            + exception.getMessage();
                    logLimited("Camera " + id + ": " + message);
                    String key = c.label() != null ? c.label().personId() : id;
                    inFlight.incrementAndGet(); // before this frame's own count drops, so completion waits for it
                    try {
                        deadLetterSender.execute(() -> {
                            try {
                                deadLetter(topic, key, seq, c, message);
                            } finally {
                                inFlight.decrementAndGet();
                            }
                        });
                    } catch (RejectedExecutionException e) {
                        inFlight.decrementAndGet();
                        logLimited("Camera " + id + ": frame " + seq + " refused by Kafka; stopping, so no dead letter");
                    }
                } else {
                    failed.incrementAndGet();
                    error(exception.getClass().getSimpleName());
                    logLimited("Camera " + id + ": frame " + seq + " was not delivered to " + topic + ": " + exception);
                }
            } finally {
                inFlight.decrementAndGet();
            }
        }

        private String describe(Capture c) {
            return c.source() == null ? "" : " (source " + c.source() + ")";
        }

        private String dimensions(Capture c) {
            return c.width() > 0 && c.height() > 0 ? ", " + c.width() + "x" + c.height() + " px" : "";
        }

        /**
         * Writes the dead letter of a frame refused for its size to the target's dead-letter topic (when it exists),
         * so the frame's sequence number is accounted for downstream. A failure here is logged and counted.
         */
        private void deadLetter(String topic, String key, long seq, Capture c, String message) {
            String deadLetters = deadLetterTopics.get(topic);
            if (deadLetters == null) {
                return;
            }
            byte[] value;
            try {
                value = deadLetterSerializer.serialize(deadLetters, tooLarge(topic, key, id, seq, c, message));
            } catch (RuntimeException e) {
                error("dead_letter_serialization");
                logLimited("Camera " + id + ": cannot serialize the dead letter of frame " + seq + ": " + e.getMessage());
                return;
            }
            inFlight.incrementAndGet();
            try {
                producer.send(new ProducerRecord<>(deadLetters, null, c.captureTime().toEpochMilli(), key, value),
                        (metadata, exception) -> {
                            try {
                                if (exception == null) {
                                    io.micrometer.core.instrument.Counter.builder("maskstream.producer.frames.dead.lettered")
                                            .description("Frames written to the dead-letter topic by the producer")
                                            .tags("camera", id, "reason", DeadLetterReason.IMAGE_TOO_LARGE.name())
                                            .register(registry).increment();
                                } else {
                                    error("dead_letter_" + exception.getClass().getSimpleName());
                                    logLimited("Camera " + id + ": the dead letter of frame " + seq + " was not delivered to "
                                            + deadLetters + ": " + exception);
                                }
                            } finally {
                                inFlight.decrementAndGet();
                            }
                        });
            } catch (KafkaException | IllegalStateException e) {
                inFlight.decrementAndGet();
                error("dead_letter_" + e.getClass().getSimpleName());
                logLimited("Camera " + id + ": the dead letter of frame " + seq + " could not be sent: " + e.getMessage());
            }
        }

        private void reject(String reason) {
            rejections.computeIfAbsent(reason, r -> io.micrometer.core.instrument.Counter.builder("maskstream.producer.frames.rejected")
                    .description("Frames refused before or by Kafka (e.g. over the size limit)").tags("camera", id,
                    "reason", r).register(registry)).increment();
        }

        private void error(String kind) {
            errors.computeIfAbsent(kind, k -> io.micrometer.core.instrument.Counter.builder("maskstream.producer.send.errors")
                    .description("Frames Kafka did not acknowledge").tags("camera", id,
                    "error", k).register(registry)).increment();
        }

        /** Per-frame errors are logged, but at most one line per camera every few seconds (with a count). */
        private synchronized void logLimited(String message) {
            long now = System.nanoTime();
            if (lastErrorLog == 0 || now - lastErrorLog >= ERROR_LOG_INTERVAL_NANOS) {
                LOG.error(suppressed > 0 ? message + " (" + suppressed + " similar errors not logged)" : message);
                lastErrorLog = now;
                suppressed = 0;
            } else {
                suppressed++;
            }
        }

        synchronized void finish(Throwable error) {
            if (finished) {
                return;
            }
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.warn("Camera {}: closing its source failed: {}", id, e.toString());
            }
            if (error != null) {
                failure = error.getClass().getSimpleName() + ": " + error.getMessage();
                io.micrometer.core.instrument.Counter.builder("maskstream.producer.camera.failures")
                        .description("Cameras that stopped on an error").tag("camera", id).register(registry).increment();
                LOG.error("Camera {} stopped after {} frames: {}", id, sequence, failure, error);
            } else if (!stopping) {
                LOG.info("Camera {} ended: {} frames published", id, sequence);
            }
            finished = true;
            active.decrementAndGet();
        }

        CameraStats stats() {
            return new CameraStats(id, sequence, acknowledged.get(), rejected.get(), failed.get(), finished, failure);
        }
    }
}
