package io.maskstream.processor;

import io.maskstream.events.DeadLetterReason;
import io.maskstream.model.InvalidModelException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The processor's meters, named once here. */
public final class ProcessorMetrics {

    private final MeterRegistry registry;
    private final Counter framesIn;
    private final Counter eventsOut;
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final DistributionSummary batchSize;
    private final DistributionSummary batchPartitions;
    private final Timer inference;
    private final Timer decode;
    private final Timer latency;
    private final Counter swaps;
    private final Counter inferenceTimeouts;
    private final Counter batchFailures;
    private final Counter fetchRetries;
    private final Counter faces;
    private final Timer detectTime;
    private final Timer classifyTime;
    private final Map<String, Counter> clamped = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicReference<Gauge> activeModel = new AtomicReference<>();
    private final Map<String, Counter> shadowSkipped = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Counter> versionEvents = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Counter> canaryFallbacks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Timer> trialPasses = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<Gauge> trialGauges = new java.util.ArrayList<>();
    private final Map<InvalidModelException.Reason, Counter> refused = new EnumMap<>(InvalidModelException.Reason.class);

    public ProcessorMetrics(MeterRegistry registry) {
        this.registry = registry;
        framesIn = Counter.builder("maskstream.processor.frames.in").description("Frames read from the frames topic")
                .register(registry);
        eventsOut = Counter.builder("maskstream.processor.events.out").description("Classification events emitted")
                .register(registry);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, Counter.builder("maskstream.processor.dead.letters")
                    .description("Frames sent to the dead-letter topic, by reason").tag("reason", reason.name())
                    .register(registry));
        }
        batchSize = DistributionSummary.builder("maskstream.processor.batch.size")
                .description("Frames per inferred micro-batch").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(registry);
        batchPartitions = DistributionSummary.builder("maskstream.processor.batch.partitions")
                .description("Partitions (stream tasks) whose frames shared a micro-batch's forward pass")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
        inference = Timer.builder("maskstream.processor.inference.time").description("Forward pass time per micro-batch")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        decode = Timer.builder("maskstream.processor.decode.time").description("Image decode and resize time per frame")
                .publishPercentiles(0.5, 0.99).register(registry);
        latency = Timer.builder("maskstream.processor.latency").description("Frame capture to event emit latency")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
        swaps = Counter.builder("maskstream.processor.model.swaps").description("Hot swaps to a new model")
                .register(registry);
        inferenceTimeouts = Counter.builder("maskstream.processor.inference.timeouts")
                .description("Forward passes that outlived processor.inference.timeout.ms (a batch, then its frame-by-frame "
                        + "retry)").register(registry);
        batchFailures = Counter.builder("maskstream.processor.inference.batch.failures")
                .description("Batches whose forward pass failed as a whole and were retried frame by frame")
                .register(registry);
        fetchRetries = Counter.builder("maskstream.processor.model.fetch.retries")
                .description("Artifact fetches that failed for a passing reason (broker unreachable, timeout) and were "
                        + "tried again").register(registry);
        faces = Counter.builder("maskstream.processor.faces").description("Faces found by the detector (detect mode)")
                .register(registry);
        detectTime = Timer.builder("maskstream.processor.detect.time")
                .description("Detector forward pass time per micro-batch (detect mode)").publishPercentiles(0.5, 0.99)
                .register(registry);
        classifyTime = Timer.builder("maskstream.processor.classify.time")
                .description("Classifier forward pass time over a micro-batch's face crops (detect mode)")
                .publishPercentiles(0.5, 0.99).register(registry);
        for (InvalidModelException.Reason reason : InvalidModelException.Reason.values()) {
            refused.put(reason, Counter.builder("maskstream.processor.model.refused")
                    .description("Model releases refused (the running model kept serving), by reason")
                    .tag("reason", reason.name()).register(registry));
        }
    }

    void refused(InvalidModelException.Reason reason) {
        refused.get(reason).increment();
    }

    void fetchRetried() {
        fetchRetries.increment();
    }

    /**
     * The gauge that shows a processor behind its peers: 1 while the version it serves is not the active release on
     * model-releases (a fetch being retried, or a refused release), else 0.
     */
    void watchServing(java.util.function.Supplier<String> serving, java.util.function.Supplier<String> active) {
        Gauge.builder("maskstream.processor.model.behind.active", () -> {
            String a = active.get();
            return a != null && !a.equals(serving.get()) ? 1 : 0;
        }).description("1 while the model served is not the active release on model-releases (its fetch is retried, or "
                + "it was refused), else 0").register(registry);
    }

    void inferenceTimeout() {
        inferenceTimeouts.increment();
    }

    void batchFailed() {
        batchFailures.increment();
    }

    /** A frame timestamp replaced by the processor's clock; {@code field}: record_timestamp or capture_time. */
    void timestampClamped(String field) {
        clamped.computeIfAbsent(field, f -> Counter.builder("maskstream.processor.timestamps.clamped")
                .description("Frame timestamps too far ahead of the processor's clock (or negative), replaced by it, "
                        + "by field").tag("field", f).register(registry)).increment();
    }

    void frameIn() {
        framesIn.increment();
    }

    void deadLetter(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    void decoded(long nanos) {
        decode.record(nanos, TimeUnit.NANOSECONDS);
    }

    void batch(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    void batchPartitions(int partitions) {
        batchPartitions.record(partitions);
    }

    /** A detect-mode batch: frames, faces found, and the time of each pass. */
    void scene(int frames, int faceCount, long detectNanos, long classifyNanos) {
        faces.increment(faceCount);
        detectTime.record(detectNanos, TimeUnit.NANOSECONDS);
        classifyTime.record(classifyNanos, TimeUnit.NANOSECONDS);
    }

    void event(long latencyMs) {
        eventsOut.increment();
        latency.record(Math.max(0, latencyMs), TimeUnit.MILLISECONDS);
    }

    /** Marks {@code version} as the active model (a gauge of 1 tagged with the version). */
    void activeModel(String version) {
        Gauge previous = activeModel.getAndSet(Gauge.builder("maskstream.processor.model.active", () -> 1)
                .description("1 for the model version being served").tag("version", version).register(registry));
        if (previous != null && !previous.getId().getTag("version").equals(version)) {
            registry.remove(previous);
            swaps.increment();
        }
    }

    /**
     * A shadow's verdict on a frame that did not reach the shadow topic: {@code timeout} (not ready within
     * processor.shadow.timeout.ms), {@code failed} (its pass threw, or it could not take the frame), {@code busy} (the
     * shadow thread's queue was full), {@code retired} (removed before its pass ran).
     */
    void shadowSkipped(String version, String reason) {
        shadowSkipped.computeIfAbsent(version + "\u0000" + reason, k -> Counter.builder("maskstream.processor.shadow.skipped")
                .description("Shadow verdicts on frames that were skipped (the active events went on without them), by "
                        + "shadow version and reason").tag("version", version).tag("reason", reason).register(registry))
                .increment();
    }

    /** An event emitted for {@code version}: on the classifications topic ({@code serving}) or the shadow topic. */
    void versionEvent(String version, String topic) {
        versionEvents.computeIfAbsent(version + "\u0000" + topic, k -> Counter.builder("maskstream.processor.version.events")
                .description("Events emitted, by model version and topic (serving: classifications; shadow: "
                        + "classifications-shadow)").tag("version", version).tag("topic", topic).register(registry))
                .increment();
    }

    /** A frame of a canary's camera that the canary could not classify: the active model's verdict served it. */
    void canaryFallback(String version) {
        canaryFallbacks.computeIfAbsent(version, v -> Counter.builder("maskstream.processor.canary.fallbacks")
                .description("Frames of a canary's cameras the canary could not classify, served by the active model "
                        + "instead").tag("version", v).register(registry)).increment();
    }

    /** A canary's or a shadow's forward pass over a batch's frames. */
    void trialPass(String version, String role, long nanos) {
        trialPasses.computeIfAbsent(version + "\u0000" + role, k -> Timer.builder("maskstream.processor.trial.inference.time")
                .description("Forward pass time per micro-batch of a canary or shadow model").tag("version", version)
                .tag("role", role).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The serving set beside the active model: a gauge per trial model, 1 for a shadow, its share for the canary. */
    synchronized void trials(TrialModels.Snapshot set) {
        trialGauges.forEach(registry::remove);
        trialGauges.clear();
        for (String v : set.shadowVersions()) {
            trialGauges.add(Gauge.builder("maskstream.processor.model.trial", () -> 1).description("Models served beside "
                    + "the active one: 1 for a shadow, the share of cameras for the canary").tag("version", v)
                    .tag("role", "shadow").register(registry));
        }
        if (set.canary() != null) {
            double share = set.canary().share();
            trialGauges.add(Gauge.builder("maskstream.processor.model.trial", () -> share).description("Models served "
                    + "beside the active one: 1 for a shadow, the share of cameras for the canary")
                    .tag("version", set.canary().version()).tag("role", "canary").register(registry));
        }
    }

    public MeterRegistry registry() {
        return registry;
    }
}
