package io.maskstream.app.bench;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.events.MaskState;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraStats;
import io.maskstream.producers.Cameras;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.TopicAdmin;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskstream benchmark soak}: the whole pipeline on this machine for a long time at half the measured
 * maximum rate (embedded broker and registry, synthetic cameras, the processor, all in this process), sampling the
 * process's resident memory ({@code VmRSS}) and the live JVM heap (after a GC) every minute. Prints the samples and
 * the drift in MB/hour; a native leak (DJL's PyTorch engine has had some) shows as RSS growing while the heap does
 * not. Also checks that every frame published got exactly one event.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Long run at half the measured max rate; samples RSS and heap every minute, prints the drift (MB/hour).")
public final class SoakBenchmark implements Callable<Integer> {

    @Option(names = "--minutes", defaultValue = "30", description = "How long the soak runs (default ${DEFAULT-VALUE}).")
    double minutes;
    @Option(names = "--rate", defaultValue = "0",
            description = "Frames per second in all; 0 measures the maximum first and runs at half of it (default).")
    double rate;
    @Option(names = "--cameras", defaultValue = "4", description = "Synthetic cameras sharing the rate (default ${DEFAULT-VALUE}).")
    int cameras;
    @Option(names = "--sample-seconds", defaultValue = "60", description = "Seconds between samples (default ${DEFAULT-VALUE}).")
    int sampleSeconds;
    @Option(names = "--width", defaultValue = "384")
    int width;
    @Option(names = "--height", defaultValue = "512")
    int height;
    @Option(names = "--measure-frames", defaultValue = "1500", description = "Frames of the maximum-rate measurement.")
    int measureFrames;
    @Option(names = "--architecture", defaultValue = "fastnet")
    String architecture;
    @Option(names = "--batch", defaultValue = "16", description = "processor.max.batch.size")
    int batch;
    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads of the processor.")
    int threads;
    @Option(names = "--processor-set", paramLabel = "KEY=VALUE", description = "Processor setting (repeatable).")
    Map<String, String> processorSettings = new HashMap<>();

    /** One sample of the soak. */
    record Sample(double minute, long published, long events, double rssMb, double heapUsedMb, double heapCommittedMb) {
        /** Resident memory outside the committed heap: native (PyTorch, DJL), metaspace, threads, direct buffers. */
        double outsideHeapMb() {
            return rssMb - heapCommittedMb;
        }
    }

    private EmbeddedStack stack;
    private Path dir;

    @Override
    public Integer call() throws Exception {
        dir = Files.createTempDirectory("maskstream-soak");
        ModelBundle.untrained(architecture, HeadLayout.MULTI_HEAD, "soak", 1).write(dir.resolve("model.bundle"));
        System.out.printf("maskstream soak: %s, %d camera(s) of %dx%d synthetic JPEGs, batch %d, %d intra-op thread(s), "
                + "%d cores, max heap %d MB%n", architecture, cameras, width, height, batch, threads,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        stack = new EmbeddedStack(dir, "127.0.0.1", 0, 0, Map.of());
        stack.start();
        try {
            double maxRate = 0;
            if (rate <= 0) {
                maxRate = measureMaxRate();
                rate = maxRate / 2;
                System.out.printf("measured maximum: %.1f frames/s; soaking at half: %.1f frames/s%n", maxRate, rate);
            }
            return soak(maxRate);
        } finally {
            stack.close();
            stack.kafka().deleteData();
        }
    }

    private Map<String, String> settings(String name) {
        Map<String, String> s = new HashMap<>();
        s.put(CommonConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        s.put(CommonConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        for (String t : List.of("frames", "labeled.frames", "classifications", "alerts", "model.releases", "model.artifacts")) {
            s.put("topic." + t, name + "-" + t.replace('.', '-'));
        }
        s.put(CommonConfig.TOPIC_PARTITIONS, "2");
        s.put(CommonConfig.METRICS_PORT, "-1");
        s.put(ProcessorConfig.APPLICATION_ID, name);
        s.put(ProcessorConfig.MODEL_PATH, dir.resolve("model.bundle").toString());
        s.put(ProcessorConfig.FOLLOW_RELEASES, "false");
        s.put(ProcessorConfig.MAX_BATCH_SIZE, String.valueOf(batch));
        s.put(ProcessorConfig.INTRA_OP_THREADS, String.valueOf(threads));
        s.put(ProcessorConfig.INTER_OP_THREADS, "1");
        s.put(ProcessorConfig.STATE_DIR, dir.resolve("state-" + name).toString());
        s.put(ProducersConfig.SYNTHETIC_WIDTH, String.valueOf(width));
        s.put(ProducersConfig.SYNTHETIC_HEIGHT, String.valueOf(height));
        s.putAll(processorSettings);
        return s;
    }

    /** Frames already on the topic, processor started: events per second between its first and last event. */
    private double measureMaxRate() throws Exception {
        String name = "soak-max-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> s = settings(name);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(s));
        TopicAdmin.ensure(config);
        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(7).withSize(width, height));
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            images.add(faces.jpeg(faces.person(i), MaskState.values()[i % 3], i));
        }
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", stack.bootstrapServers());
        p.put("acks", "all");
        p.put("linger.ms", 5);
        p.put("batch.size", 1 << 20);
        AvroSerializer<Frame> serializer = new AvroSerializer<>();
        serializer.configure(Map.of(CommonConfig.SCHEMA_REGISTRY_URL, stack.registryUrl()), false);
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(p, new StringSerializer(), serializer)) {
            for (int i = 0; i < measureFrames; i++) {
                String camera = "cam-" + (i % cameras);
                producer.send(new ProducerRecord<>(s.get(CommonConfig.TOPIC_FRAMES), camera, Frame.newBuilder()
                        .setCameraId(camera).setSequence(i).setCaptureTime(Instant.now())
                        .setImage(ByteBuffer.wrap(images.get(i % images.size()))).setContentType("image/jpeg")
                        .setWidth(width).setHeight(height).setSource(null).build()));
            }
            producer.flush();
        }
        EventCounter events = new EventCounter(s.get(CommonConfig.TOPIC_CLASSIFICATIONS));
        try (StreamProcessorService processor = new StreamProcessorService(config, new SimpleMeterRegistry())) {
            processor.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (events.count() < measureFrames && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            events.close();
        }
        if (events.count() < measureFrames) {
            throw new IllegalStateException("only " + events.count() + " of " + measureFrames + " frames were classified");
        }
        return (events.count() - 1) / Math.max(1e-3, (events.lastProcessed.get() - events.firstProcessed.get()) / 1000.0);
    }

    private int soak(double maxRate) throws Exception {
        String name = "soak-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> s = settings(name);
        s.put(ProducersConfig.FPS, String.valueOf(rate / cameras));
        ProcessorConfig processorConfig = new ProcessorConfig(ConfigSource.of(s));
        ProducersConfig producersConfig = new ProducersConfig(ConfigSource.of(s));
        TopicAdmin.ensure(processorConfig);
        List<Sample> samples = new ArrayList<>();
        long published;
        EventCounter events = new EventCounter(s.get(CommonConfig.TOPIC_CLASSIFICATIONS));
        try (StreamProcessorService processor = new StreamProcessorService(processorConfig, new SimpleMeterRegistry())) {
            processor.start();
            CameraPublisher publisher = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                    Cameras.synthetic(producersConfig, cameras, Math.max(1, cameras / 2), "soak-cam-", 0));
            try (publisher) {
                publisher.start();
                long start = System.nanoTime();
                long end = start + (long) (minutes * 60e9);
                System.out.printf("soaking for %.1f min at %.1f frames/s (%d cameras at %.2f fps), a sample every %d s%n",
                        minutes, rate, cameras, rate / cameras, sampleSeconds);
                System.out.printf("%8s %12s %10s %8s %9s %14s %16s %15s%n", "minute", "frames sent", "events", "lag",
                        "RSS MB", "live heap MB", "heap commit MB", "RSS-heap MB");
                samples.add(sample(start, publisher, events));
                for (long next = start + sampleSeconds * 1_000_000_000L; next <= end; next += sampleSeconds * 1_000_000_000L) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000);
                    }
                    samples.add(sample(start, publisher, events));
                }
            } // the cameras stop here; what they published is drained below
            published = publisher.stats().stream().mapToLong(CameraStats::acknowledged).sum();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (events.count() < published && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(2000);
        } finally {
            events.close();
        }
        report(samples, published, events, maxRate);
        return events.distinct() == published && events.count() == published ? 0 : 1;
    }

    private Sample sample(long start, CameraPublisher publisher, EventCounter events) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long sent = publisher.stats().stream().mapToLong(CameraStats::acknowledged).sum();
        Sample s = new Sample((System.nanoTime() - start) / 60e9, sent, events.count(), rssMb(), liveHeapMb(),
                heap.getCommitted() / 1048576.0);
        System.out.printf("%8.1f %12d %10d %8d %9.1f %14.1f %16.1f %15.1f%n", s.minute(), s.published(), s.events(),
                s.published() - s.events(), s.rssMb(), s.heapUsedMb(), s.heapCommittedMb(), s.outsideHeapMb());
        return s;
    }

    /**
     * The heap in use right after a collection (what is live, not garbage not collected yet): a GC is asked for, and
     * each heap pool's usage after its latest collection is summed. When the GC is held off (a JNI critical section:
     * image decoding, native tensor copies), the previous collection's figure stands instead of a heap full of garbage.
     */
    static double liveHeapMb() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used / 1048576.0;
    }

    /** Resident set size of this process from /proc/self/status (Linux), or NaN elsewhere. */
    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Double.NaN;
    }

    private void report(List<Sample> samples, long published, EventCounter events, double maxRate) {
        // The first sample is taken as the cameras start; drift is measured from the first full minute on, after
        // the JIT, the model's warm-up and the buffers have settled.
        List<Sample> steady = samples.size() > 2 ? samples.subList(1, samples.size()) : samples;
        double rssDrift = slopePerHour(steady, Sample::rssMb);
        double heapDrift = slopePerHour(steady, Sample::heapUsedMb);
        double outsideDrift = slopePerHour(steady, Sample::outsideHeapMb);
        Sample first = steady.get(0);
        Sample last = steady.get(steady.size() - 1);
        System.out.println();
        System.out.printf("soak: %.1f min at %.1f frames/s%s; %d frames published, %d events (%d distinct frames): "
                        + "%d lost, %d duplicated%n", last.minute(), rate,
                maxRate > 0 ? String.format(" (half the measured maximum of %.1f)", maxRate) : "", published,
                events.count(), events.distinct(), Math.max(0, published - events.distinct()),
                events.count() - events.distinct());
        System.out.printf("RSS  drift: %+.1f MB/hour (least squares over minutes %.1f-%.1f; %.1f -> %.1f MB)%n", rssDrift,
                first.minute(), last.minute(), first.rssMb(), last.rssMb());
        System.out.printf("RSS outside the heap drift: %+.1f MB/hour (%.1f -> %.1f MB): native memory (PyTorch, DJL), "
                + "metaspace, threads%n", outsideDrift, first.outsideHeapMb(), last.outsideHeapMb());
        System.out.printf("live heap drift: %+.1f MB/hour (after GC; %.1f -> %.1f MB)%n", heapDrift, first.heapUsedMb(),
                last.heapUsedMb());
        System.out.println("RSS covers this whole process: broker, cameras and processor (the registry is a child process);"
                + " it also grows while the JVM commits more heap, so a leak shows in the last two lines. For an exact"
                + " split run with MASKSTREAM_JAVA_OPTS=\"-Xms2g -Xmx2g -XX:+AlwaysPreTouch\".");
    }

    static double slopePerHour(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> value) {
        int n = samples.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = samples.stream().mapToDouble(Sample::minute).average().orElse(0);
        double my = samples.stream().mapToDouble(value).average().orElse(0);
        double num = 0;
        double den = 0;
        for (Sample s : samples) {
            num += (s.minute() - mx) * (value.applyAsDouble(s) - my);
            den += (s.minute() - mx) * (s.minute() - mx);
        }
        return den == 0 ? Double.NaN : num / den * 60;
    }

    /** Counts classification events (read_committed) and the distinct frames they are for. */
    private final class EventCounter implements AutoCloseable {
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong firstProcessed = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong lastProcessed = new AtomicLong();
        private final Set<String> frames = new HashSet<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        EventCounter(String topic) {
            Map<String, Object> p = new HashMap<>();
            p.put("bootstrap.servers", stack.bootstrapServers());
            p.put("isolation.level", "read_committed");
            AvroDeserializer<Classification> reader = new AvroDeserializer<>(
                    SchemaRegistryClient.shared(stack.registryUrl(), null), Classification.class);
            thread = new Thread(() -> {
                try (KafkaConsumer<String, Classification> c = new KafkaConsumer<>(p, new StringDeserializer(), reader)) {
                    List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition())).toList();
                    c.assign(partitions);
                    c.seekToBeginning(partitions);
                    while (!stop.get()) {
                        for (ConsumerRecord<String, Classification> r : c.poll(Duration.ofMillis(200))) {
                            Classification e = r.value();
                            long processed = e.getProcessedTime().toEpochMilli();
                            firstProcessed.accumulateAndGet(processed, Math::min);
                            lastProcessed.accumulateAndGet(processed, Math::max);
                            synchronized (frames) {
                                frames.add(e.getCameraId() + "/" + e.getFrameSequence());
                            }
                            count.incrementAndGet();
                        }
                    }
                }
            }, "soak-events");
            thread.setDaemon(true);
            thread.start();
        }

        long count() {
            return count.get();
        }

        long distinct() {
            synchronized (frames) {
                return frames.size();
            }
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
