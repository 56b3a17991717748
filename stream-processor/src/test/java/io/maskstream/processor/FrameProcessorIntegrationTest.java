package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.runtime.config.ConfigSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processor on a real broker and registry, end to end. */
class FrameProcessorIntegrationTest {

    @Test
    void fiveHundredFramesFromThreeCamerasYieldExactlyFiveHundredEventsAndBadOnesAreDeadLettered(@TempDir Path dir)
            throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("fpit", dir, 3);
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        List<String> sent = new ArrayList<>();
        try (StreamProcessorService service = new StreamProcessorService(config, new SimpleMeterRegistry());
             KafkaProducer<String, Frame> producer = ProcessorTestSupport.frameProducer(settings)) {
            service.start();
            long[] seq = new long[3];
            for (int i = 0; i < 500; i++) {
                String cam = "cam-" + (i % 3);
                Frame f = TestFrames.frame(cam, seq[i % 3]++);
                producer.send(new ProducerRecord<>(settings.get("topic.frames"), cam, f));
                sent.add(cam + "/" + f.getSequence());
                if (i == 250) {
                    byte[] good = TestFrames.jpeg(96, 128, 99);
                    producer.send(new ProducerRecord<>(settings.get("topic.frames"), "cam-1",
                            TestFrames.frame("cam-1", 100_000, Arrays.copyOf(good, good.length / 2))));
                    byte[] random = new byte[4000];
                    new Random(5).nextBytes(random);
                    producer.send(new ProducerRecord<>(settings.get("topic.frames"), "cam-2",
                            TestFrames.frame("cam-2", 100_001, random)));
                }
            }
            producer.flush();

            List<ConsumerRecord<String, Classification>> events;
            try (var consumer = ProcessorTestSupport.classificationConsumer(settings)) {
                events = ProcessorTestSupport.poll(consumer, settings.get("topic.classifications"), 500, Duration.ofSeconds(120));
                events.addAll(ProcessorTestSupport.poll(consumer, settings.get("topic.classifications"), 1, Duration.ofSeconds(2)));
            }
            List<String> got = events.stream().map(r -> r.value().getCameraId() + "/" + r.value().getFrameSequence()).toList();
            assertThat(got).hasSize(500);
            assertThat(new HashSet<>(got)).isEqualTo(new HashSet<>(sent));
            Map<String, List<Long>> perCamera = new LinkedHashMap<>();
            events.forEach(r -> perCamera.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getFrameSequence()));
            perCamera.values().forEach(s -> assertThat(s).isSorted());
            assertThat(events).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getCameraId()));

            List<ConsumerRecord<String, DeadLetter>> dead;
            try (var consumer = ProcessorTestSupport.deadLetterConsumer(settings)) {
                dead = ProcessorTestSupport.poll(consumer, settings.get("topic.frames") + "-dlq", 2, Duration.ofSeconds(30));
            }
            Set<Long> deadSeqs = new HashSet<>();
            dead.forEach(r -> {
                assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.UNDECODABLE_IMAGE);
                deadSeqs.add(r.value().getFrameSequence());
            });
            assertThat(deadSeqs).containsExactlyInAnyOrder(100_000L, 100_001L);
        }
    }

    /**
     * A frame in the buffer store that cannot be rebuilt after a restart (here: its bytes are not Avro, or it is kept by
     * reference and the frames topic no longer holds its offset) ends as one dead letter, written at the first punctuation (no record context exists in init), and deleted from the store:
     * no crash loop, no second dead letter after the next restart, and the stream goes on.
     */
    @Test
    void aBufferedFrameThatCannotBeRestoredOrReadBackEndsAsOneDeadLetterAndTheStreamGoesOn(@TempDir Path dir) throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("restore", dir, 1);
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        String framesTopic = settings.get("topic.frames");
        String changelog = settings.get(ProcessorConfig.APPLICATION_ID) + "-" + FrameTopology.BUFFER_STORE + "-changelog";
        try (KafkaProducer<String, Frame> producer = ProcessorTestSupport.frameProducer(settings);
             var events = ProcessorTestSupport.classificationConsumer(settings);
             var dead = ProcessorTestSupport.deadLetterConsumer(settings)) {
            try (StreamProcessorService service = new StreamProcessorService(config, new SimpleMeterRegistry())) {
                service.start();
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(framesTopic, "cam-r", TestFrames.frame("cam-r", i)));
                }
                producer.flush();
                assertThat(ProcessorTestSupport.poll(events, settings.get("topic.classifications"), 3, Duration.ofSeconds(60)))
                        .hasSize(3);
            }
            // what a crash could leave behind: a buffered frame whose bytes no longer decode
            try (var raw = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", settings.get("bootstrap.servers")),
                    org.apache.kafka.common.serialization.Serdes.Long().serializer(), BufferedFrame.serde().serializer())) {
                raw.send(new ProducerRecord<>(changelog, 0, 999_999L, new BufferedFrame("cam-r".getBytes(),
                        "not avro at all".getBytes(), System.currentTimeMillis()))).get();
                // and a frame kept by reference whose offset the frames topic does not hold (retention took it)
                raw.send(new ProducerRecord<>(changelog, 0, 888_888L, BufferedFrame.reference(System.currentTimeMillis())))
                        .get();
            }
            for (int round = 0; round < 2; round++) {
                SimpleMeterRegistry meters = new SimpleMeterRegistry();
                try (StreamProcessorService service = new StreamProcessorService(config, meters)) {
                    service.start();
                    for (int i = 0; i < 3; i++) {
                        producer.send(new ProducerRecord<>(framesTopic, "cam-r", TestFrames.frame("cam-r", 10 * (round + 1) + i)));
                    }
                    producer.flush();
                    assertThat(ProcessorTestSupport.poll(events, settings.get("topic.classifications"), 3,
                            Duration.ofSeconds(60))).as("round %d: the stream goes on", round).hasSize(3);
                    assertThat(service.restarts()).as("round %d: no stream thread failed", round).isZero();
                }
            }
            List<ConsumerRecord<String, DeadLetter>> letters = ProcessorTestSupport.poll(dead, framesTopic + "-dlq", 3,
                    Duration.ofSeconds(5));
            assertThat(letters).as("one dead letter each, not one per restart").hasSize(2);
            assertThat(letters).filteredOn(r -> r.value().getOriginalOffset() == 999_999L).singleElement().satisfies(r -> {
                assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.NOT_AVRO);
                assertThat(r.value().getOriginalValue().remaining()).isEqualTo("not avro at all".length());
            });
            assertThat(letters).filteredOn(r -> r.value().getOriginalOffset() == 888_888L).singleElement().satisfies(r -> {
                assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.UNKNOWN);
                assertThat(r.value().getMessage()).contains("no longer on the topic");
                assertThat(r.value().getOriginalValue()).isNull();
            });
        }
    }

    /**
     * One instance, four partitions, two stream threads: frames of all four tasks join the same micro-batch (the
     * long max delay leaves only the size to flush it), so each pass holds every partition's frames, and each frame
     * still gets exactly one event, keyed and ordered per camera.
     */
    @Test
    void framesOfDifferentPartitionsAndStreamThreadsShareOneForwardPassAndEachGetsExactlyOneEvent(@TempDir Path dir)
            throws Exception {
        Map<String, String> settings = ProcessorTestSupport.settings("shared", dir, 4);
        settings.put(ProcessorConfig.STREAM_THREADS, "2");
        settings.put(ProcessorConfig.MAX_BATCH_SIZE, "8");
        settings.put(ProcessorConfig.MAX_BATCH_DELAY_MS, "20000");
        ProcessorTestSupport.createTopics(settings);
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(settings));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (StreamProcessorService service = new StreamProcessorService(config, meters);
             KafkaProducer<String, Frame> producer = ProcessorTestSupport.frameProducer(settings);
             var consumer = ProcessorTestSupport.classificationConsumer(settings)) {
            service.start();
            ProcessorTestSupport.awaitRunning(service);
            List<ConsumerRecord<String, Classification>> events = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 8; i++) { // two frames for each partition, one camera per partition
                    int partition = i % 4;
                    String cam = "cam-p" + partition;
                    producer.send(new ProducerRecord<>(settings.get("topic.frames"), partition, cam,
                            TestFrames.frame(cam, 2L * round + i / 4)));
                }
                producer.flush();
                events.addAll(ProcessorTestSupport.poll(consumer, settings.get("topic.classifications"), 8,
                        Duration.ofSeconds(60)));
                assertThat(events).as("round %d", round).hasSize(8 * (round + 1));
            }
            events.addAll(ProcessorTestSupport.poll(consumer, settings.get("topic.classifications"), 1, Duration.ofSeconds(2)));
            assertThat(events).hasSize(24);
            assertThat(events).extracting(r -> r.value().getCameraId() + "/" + r.value().getFrameSequence())
                    .doesNotHaveDuplicates();
            assertThat(events).as("every pass held all 8 frames of 4 partitions")
                    .allSatisfy(r -> assertThat(r.value().getBatchSize()).isEqualTo(8));
            Map<String, List<Long>> perCamera = new LinkedHashMap<>();
            events.forEach(r -> perCamera.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getFrameSequence()));
            assertThat(perCamera).hasSize(4).allSatisfy((cam, seqs) -> assertThat(seqs).containsExactly(0L, 1L, 2L, 3L, 4L, 5L));
            var partitionsPerPass = meters.get("maskstream.processor.batch.partitions").summary();
            assertThat(partitionsPerPass.count()).isEqualTo(3);
            assertThat(partitionsPerPass.mean()).isEqualTo(4);
        }
    }
}
