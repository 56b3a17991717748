package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Classification;
import io.maskstream.model.TestAssets;
import java.awt.image.BufferedImage;
import javax.imageio.ImageIO;
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
 * event in a read_committed view (and, with a shadow release running, at most one shadow event).
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
        Path configFile = writeConfig(settings, dir);
        // a shadow runs beside the active model: its events share the transactions of the active ones
        io.maskstream.model.ModelBundle shadow = io.maskstream.model.ModelBundle.untrained("fastnet",
                io.maskstream.model.HeadLayout.MULTI_HEAD, "crash-shadow", 31);
        ReleaseTestSupport.publish(new ProcessorConfig(io.maskstream.runtime.config.ConfigSource.of(settings)),
                "crash-shadow", shadow.toBytes(), shadow.sha256(), io.maskstream.events.ReleaseStatus.SHADOW, r -> r);

        Map<String, AtomicInteger> eventsPerFrame = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> shadowEventsPerFrame = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread verifier = new Thread(() -> {
            try (var consumer = ProcessorTestSupport.classificationConsumer(settings)) {
                consumer.subscribe(List.of(settings.get("topic.classifications"), settings.get("topic.classifications.shadow")));
                while (!stop.get()) {
                    for (var r : consumer.poll(Duration.ofMillis(200))) {
                        Classification c = r.value();
                        (r.topic().equals(settings.get("topic.classifications")) ? eventsPerFrame : shadowEventsPerFrame)
                                .computeIfAbsent(c.getCameraId() + "/" + c.getFrameSequence(),
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
        assertThat(shadowEventsPerFrame.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey))
                .as("frames with more than one shadow event").isEmpty();
        assertThat(eventsPerFrame.keySet()).containsAll(shadowEventsPerFrame.keySet());
        // each start serves a few seconds (and the frames it restores) before the shadow is loaded: most, not all
        assertThat(shadowEventsPerFrame).as("frames the shadow classified").hasSizeGreaterThan(FRAMES / 3);
        long recovered = 0;
        for (Path log : logs.subList(1, logs.size())) {
            recovered += Files.readAllLines(log).stream().filter(l -> l.contains("buffered but not classified")).count();
        }
        assertThat(recovered).as("a restarted processor found frames left in the buffer store").isPositive();
    }

    /**
     * Detect mode, with a real pretrained detector (BlazeFace) on a real photograph: two copies of skimage's astronaut
     * walk across each camera's frames (every 16th frame shows nobody). Killed once while frames are buffered: every
     * frame still has exactly one event, and each person keeps one track id across the restart (the face-tracks store
     * came back from its changelog).
     */
    @Test
    void sigkillWithDetectionOnLosesNothingDuplicatesNothingAndTrackIdsContinue(@TempDir Path dir) throws Exception {
        Path detector = TestAssets.require(TestAssets.BLAZEFACE_FRONT);
        BufferedImage astronaut = ImageIO.read(TestAssets.require(TestAssets.ASTRONAUT).toFile());
        Map<String, String> settings = ProcessorTestSupport.settings("crash-scenes", dir, 2);
        settings.put(ProcessorConfig.FACES_MODE, "detect");
        settings.put(ProcessorConfig.DETECTOR_FILE, detector.toString());
        settings.put(ProcessorConfig.MAX_BATCH_SIZE, "16");
        settings.put(ProcessorConfig.MAX_BATCH_DELAY_MS, "1500");
        settings.put(ProcessorConfig.TRACKING_MAX_GAP_FRAMES, "20");
        ProcessorTestSupport.createTopics(settings);
        Path configFile = writeConfig(settings, dir);
        int perCamera = 120;
        List<String> cameras = List.of("door", "hall");
        Map<String, List<Classification>> events = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread verifier = new Thread(() -> {
            try (var consumer = ProcessorTestSupport.classificationConsumer(settings)) {
                consumer.subscribe(List.of(settings.get("topic.classifications")));
                while (!stop.get()) {
                    for (var r : consumer.poll(Duration.ofMillis(200))) {
                        events.computeIfAbsent(r.value().getCameraId() + "/" + r.value().getFrameSequence(),
                                k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(r.value());
                    }
                }
            }
        }, "verifier");
        verifier.start();
        List<Path> logs = new ArrayList<>();
        Process processor = launch(configFile, dir, logs);
        try (KafkaProducer<String, Frame> producer = ProcessorTestSupport.frameProducer(settings)) {
            for (int seq = 0; seq < perCamera; seq++) {
                for (String cam : cameras) {
                    producer.send(new ProducerRecord<>(settings.get("topic.frames"), cam,
                            TestFrames.frame(cam, seq, walkers(astronaut, seq, seq % 16 == 15))));
                }
                if (seq % 8 == 0) {
                    producer.flush();
                    Thread.sleep(30);
                }
                if (seq == perCamera / 2) {
                    producer.flush();
                    awaitCount(events, seq, Duration.ofSeconds(120));
                    processor.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
                    processor = launch(configFile, dir, logs);
                }
            }
            producer.flush();
        }
        try {
            awaitCount(events, perCamera * cameras.size(), Duration.ofSeconds(180));
            Thread.sleep(3000);
        } finally {
            processor.destroy();
            processor.waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            verifier.join();
        }
        assertThat(events).hasSize(perCamera * cameras.size());
        assertThat(events.entrySet().stream().filter(e -> e.getValue().size() != 1).map(Map.Entry::getKey))
                .as("frames with other than exactly one event").isEmpty();
        for (String cam : cameras) {
            java.util.Set<Long> leftIds = new java.util.TreeSet<>();
            java.util.Set<Long> rightIds = new java.util.TreeSet<>();
            int withTwo = 0;
            for (int seq = 0; seq < perCamera; seq++) {
                Classification c = events.get(cam + "/" + seq).get(0);
                if (seq % 16 == 15) {
                    assertThat(c.getFaces()).as(cam + " frame " + seq + " shows nobody").isEmpty();
                    continue;
                }
                List<io.maskstream.events.Face> faces = new ArrayList<>(c.getFaces());
                if (faces.size() == 2) {
                    withTwo++;
                    faces.sort(java.util.Comparator.comparingDouble(f -> f.getBox().getX()));
                    leftIds.add(faces.get(0).getTrackId());
                    rightIds.add(faces.get(1).getTrackId());
                }
            }
            System.out.printf("detect-mode SIGKILL, camera %s: %d of %d frames with both people found, track ids left %s "
                    + "right %s%n", cam, withTwo, perCamera - perCamera / 16, leftIds, rightIds);
            assertThat(withTwo).as(cam + ": frames where BlazeFace found both people").isGreaterThan(perCamera * 3 / 4);
            assertThat(leftIds).as(cam + ": the left person's track ids, before and after the SIGKILL").hasSize(1);
            assertThat(rightIds).as(cam + ": the right person's track ids").hasSize(1);
            assertThat(leftIds).doesNotContainAnyElementsOf(rightIds);
        }
    }

    /** Two astronauts walking towards each other on a 480x360 frame; none when {@code empty}. */
    static byte[] walkers(BufferedImage astronaut, int seq, boolean empty) throws IOException {
        BufferedImage frame = new BufferedImage(480, 360, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = frame.createGraphics();
        g.setColor(new java.awt.Color(70, 80, 90));
        g.fillRect(0, 0, 480, 360);
        if (!empty) {
            BufferedImage head = astronaut.getSubimage(128, 30, 200, 200); // the face is at [178, 80, 94, 96]
            g.drawImage(head, 10 + seq / 2, 60, 160, 160, null);
            g.drawImage(head, 310 - seq / 2, 120, 160, 160, null);
        }
        g.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageIO.write(frame, "jpg", out);
        return out.toByteArray();
    }

    private static void awaitCount(Map<String, ?> events, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** The settings as the properties file a separate processor JVM reads. */
    private static Path writeConfig(Map<String, String> settings, Path dir) throws IOException {
        Path configFile = dir.resolve("processor.properties");
        Properties props = new Properties();
        props.putAll(settings);
        try (Writer w = Files.newBufferedWriter(configFile)) {
            props.store(w, null);
        }
        return configFile;
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
