package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across hard crashes: the processor runs in its own JVM and is killed with SIGKILL (no close
 * hook runs) while frames sit in its micro-batch buffer; after each restart every frame has exactly one
 * event in a read_committed view.
 */
class ProcessorCrashIntegrationTest {

    static final int FRAMES = 900;

    @Test
    void sigkillWhileFramesAreBufferedLosesNothingAndDuplicatesNothing(@TempDir Path dir) throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("crash", dir, 2);
        // Long deadline and big batches: at any moment dozens of consumed, committed-as-read frames wait in the buffer.
        settings.put(ProcessorConfig.MAX_BATCH_SIZE, "48");
        settings.put(ProcessorConfig.MAX_BATCH_DELAY_MS, "1500");
        settings.put(ProcessorConfig.COMMIT_INTERVAL_MS, "100");
        ProcessorTestSupport.createTopics(settings);
        Path configFile = dir.resolve("processor.properties");
        Properties props = new Properties();
        props.putAll(settings);
        try (Writer w = Files.newBufferedWriter(configFile)) {
            props.store(w, null);
        }

        Map<String, AtomicInteger> eventsPerFrame = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread verifier = new Thread(() -> {
            try (var consumer = ProcessorTestSupport.classificationConsumer(settings)) {
                consumer.subscribe(List.of(settings.get("topic.classifications")));
                while (!stop.get()) {
                    for (var r : consumer.poll(Duration.ofMillis(200))) {
                        Classification c = r.value();
                        eventsPerFrame.computeIfAbsent(c.getCameraId() + "/" + c.getFrameSequence(),
                                k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }
        }, "verifier");
        verifier.start();

        List<Path> logs = new ArrayList<>();
        Process processor = launch(configFile, dir, logs);
        Map<String, Long> seq = new HashMap<>();
        int kills = 0;
        try (KafkaProducer<String, Frame> producer = ProcessorTestSupport.frameProducer(settings)) {
            for (int i = 0; i < FRAMES; i++) {
                String cam = "cam-" + (i % 3);
                long s = seq.merge(cam, 1L, Long::sum) - 1;
                producer.send(new ProducerRecord<>(settings.get("topic.frames"), cam, TestFrames.frame(cam, s)));
                if (i % 20 == 0) {
                    producer.flush();
                    Thread.sleep(40);
                }
                if ((i == 300 || i == 600) && kills < 2) {
                    producer.flush();
                    awaitEvents(eventsPerFrame, i / 3, Duration.ofSeconds(90));
                    processor.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
                    kills++;
                    processor = launch(configFile, dir, logs);
                }
            }
            producer.flush();
        }
        try {
            awaitEvents(eventsPerFrame, FRAMES, Duration.ofSeconds(120));
            Thread.sleep(3000); // a late duplicate would show up now
        } finally {
            processor.destroy();
            processor.waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            verifier.join();
        }

        assertThat(kills).isEqualTo(2);
        assertThat(eventsPerFrame).hasSize(FRAMES);
        assertThat(eventsPerFrame.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey))
                .as("frames with other than exactly one event").isEmpty();
        long recovered = 0;
        for (Path log : logs.subList(1, logs.size())) {
            recovered += Files.readAllLines(log).stream().filter(l -> l.contains("buffered but not classified")).count();
        }
        assertThat(recovered).as("a restarted processor found frames left in the buffer store").isPositive();
    }

    private static Process launch(Path configFile, Path dir, List<Path> logs) throws IOException, InterruptedException {
        Path log = dir.resolve("processor-" + logs.size() + ".log");
        logs.add(log);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                ProcessorMain.class.getName(), configFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log, StandardCharsets.UTF_8).contains("PROCESSOR STARTED")) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("processor exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("processor did not start: " + Files.readString(log));
    }

    private static void awaitEvents(Map<String, AtomicInteger> events, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }
}
