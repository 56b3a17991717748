package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraSource;
import io.maskstream.producers.CameraStats;
import io.maskstream.datasets.Capture;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.schemas.serde.AvroSerializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 4: a corpus of bad (and awkward but valid) inputs sent to {@code frames}, each followed by a good frame.
 * Every valid image is classified, every invalid one is in the dead-letter topic with its reason code and a
 * readable message, the good frames in between are all classified, and the stream never stops. A frame too large
 * for the topic never reaches it: the camera publisher refuses it and dead-letters it itself.
 */
class BadInputCorpusIntegrationTest {

    /** One corpus entry: what is sent and what must come of it (a reason, or empty for "classified"). */
    record Item(String name, String key, byte[] value, Optional<DeadLetterReason> expected) {
        String outcome() {
            return expected.map(DeadLetterReason::name).orElse("classified");
        }
    }

    @Test
    void everyInvalidInputIsDeadLetteredWithItsReasonEveryValidImageIsClassifiedAndTheStreamNeverStops(@TempDir Path dir)
            throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "s4-corpus", dir, 1);
        Pipelines.createTopics(settings);
        String frames = Pipelines.frames(settings);
        AvroSerializer<Frame> frameWriter = new AvroSerializer<>();
        frameWriter.configure(Map.of(CommonConfig.SCHEMA_REGISTRY_URL, stack.registryUrl()), false);
        List<byte[]> good = Pipelines.faces(10, 96, 128, 4);
        byte[] goodJpeg = good.get(0);
        byte[] validFrame = frameWriter.serialize(frames, Pipelines.frame("corpus", 0, goodJpeg));
        Random random = new Random(4);

        List<Item> corpus = new ArrayList<>();
        // images inside well-formed frames (camera "corpus", sequence = position in the corpus)
        Map<String, Object[]> images = new LinkedHashMap<>();
        images.put("truncated JPEG", new Object[] {Arrays.copyOf(goodJpeg, goodJpeg.length / 2), "image/jpeg",
                DeadLetterReason.UNDECODABLE_IMAGE});
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        images.put("random bytes as the image", new Object[] {noise, "image/jpeg", DeadLetterReason.UNDECODABLE_IMAGE});
        images.put("PNG with alpha", new Object[] {CorpusImages.png(CorpusImages.face(192, 256,
                BufferedImage.TYPE_INT_ARGB)), "image/png", null});
        images.put("grayscale JPEG", new Object[] {CorpusImages.jpeg(CorpusImages.face(192, 256,
                BufferedImage.TYPE_BYTE_GRAY), 0.85f, false), "image/jpeg", null});
        images.put("CMYK JPEG (Adobe)", new Object[] {CorpusImages.cmykJpeg(192, 256, false), "image/jpeg", null});
        images.put("YCCK JPEG (Adobe)", new Object[] {CorpusImages.cmykJpeg(192, 256, true), "image/jpeg", null});
        images.put("progressive JPEG", new Object[] {CorpusImages.jpeg(CorpusImages.face(192, 256,
                BufferedImage.TYPE_3BYTE_BGR), 0.85f, true), "image/jpeg", null});
        images.put("1x1 JPEG", new Object[] {CorpusImages.jpeg(CorpusImages.face(1, 1, BufferedImage.TYPE_3BYTE_BGR),
                0.9f, false), "image/jpeg", DeadLetterReason.IMAGE_TOO_SMALL});
        byte[] huge = CorpusImages.jpeg(CorpusImages.face(8000, 8000, BufferedImage.TYPE_3BYTE_BGR), 0.8f, false);
        images.put("8000x8000 JPEG (" + huge.length / 1024 + " KB)", new Object[] {huge, "image/jpeg", null});
        images.put("GIF image", new Object[] {CorpusImages.gif(CorpusImages.face(96, 128, BufferedImage.TYPE_3BYTE_BGR)),
                "image/gif", DeadLetterReason.UNSUPPORTED_CONTENT_TYPE});
        int seq = 0;
        for (var e : images.entrySet()) {
            Object[] v = e.getValue();
            corpus.add(new Item(e.getKey(), "corpus", frameWriter.serialize(frames,
                    Pipelines.frame("corpus", seq++, (byte[]) v[0], (String) v[1])),
                    Optional.ofNullable((DeadLetterReason) v[2])));
        }
        // record values that are not frames at all (each under its own key: no camera id can be read from them)
        byte[] randomValue = new byte[2048];
        random.nextBytes(randomValue);
        randomValue[0] = 0x7F;
        corpus.add(new Item("random bytes as the record value", "raw-random", randomValue,
                Optional.of(DeadLetterReason.NOT_AVRO)));
        corpus.add(new Item("empty value", "raw-empty", new byte[0], Optional.of(DeadLetterReason.EMPTY_VALUE)));
        corpus.add(new Item("null value (tombstone)", "raw-null", null, Optional.of(DeadLetterReason.NULL_VALUE)));
        corpus.add(new Item("bytes that are not Avro (JSON)", "raw-json",
                "{\"cameraId\":\"cam-1\",\"sequence\":1,\"image\":\"...\"}".getBytes(StandardCharsets.UTF_8),
                Optional.of(DeadLetterReason.NOT_AVRO)));
        byte[] unknownId = validFrame.clone();
        ByteBuffer.wrap(unknownId, 1, 4).putInt(1_999_999_999);
        corpus.add(new Item("Avro with an unknown schema id", "raw-unknown-id", unknownId,
                Optional.of(DeadLetterReason.UNKNOWN_SCHEMA)));
        byte[] malformed = Arrays.copyOf(validFrame, 40);
        Arrays.fill(malformed, 5, 40, (byte) 0xFF);
        corpus.add(new Item("Avro with a known id and garbage body", "raw-malformed", malformed,
                Optional.of(DeadLetterReason.MALFORMED_AVRO)));

        Map<String, String> expectedOutcome = new LinkedHashMap<>(); // frame id -> "classified" or reason
        Map<String, String> itemOfFrame = new LinkedHashMap<>();
        List<String> sentGood = new ArrayList<>();
        try (LogCapture logs = new LogCapture();
             EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                     Pipelines.classifications(settings), Pipelines.framesDlq(settings));
             StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(settings),
                     new SimpleMeterRegistry());
             KafkaProducer<String, byte[]> raw = Pipelines.rawProducer(stack.bootstrapServers())) {
            processor.start();
            int goodSeq = 0;
            Map<String, RecordMetadata> offsets = new LinkedHashMap<>();
            for (Item item : corpus) {
                offsets.put(item.name(), raw.send(new ProducerRecord<>(frames, item.key(), item.value())).get());
                String id = item.key().equals("corpus") ? "corpus/" + corpus.indexOf(item) : item.key();
                expectedOutcome.put(id, item.outcome());
                itemOfFrame.put(id, item.name());
                // a good frame after every bad one: the stream goes on
                String goodId = "good/" + goodSeq;
                raw.send(new ProducerRecord<>(frames, "good", frameWriter.serialize(frames,
                        Pipelines.frame("good", goodSeq, good.get(goodSeq % good.size()))))).get();
                expectedOutcome.put(goodId, "classified");
                sentGood.add(goodId);
                goodSeq++;
            }

            // the oversized frame: refused by the camera publisher, dead-lettered under its number, never on frames
            ProducersConfig producersConfig = Pipelines.producersConfig(settings);
            byte[] oversized = CorpusImages.noisePng(1200, 1200, 4);
            List<Capture> script = List.of(capture(goodJpeg, "image/jpeg"), capture(oversized, "image/png"),
                    capture(goodJpeg, "image/jpeg"));
            CameraStats stats;
            try (CameraPublisher camera = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                    List.of(new ScriptedCamera("corpus-camera", script)))) {
                camera.start();
                assertThat(camera.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                stats = camera.stats().get(0);
            }
            expectedOutcome.put("corpus-camera/0", "classified");
            expectedOutcome.put("corpus-camera/1", DeadLetterReason.IMAGE_TOO_LARGE.name());
            expectedOutcome.put("corpus-camera/2", "classified");
            itemOfFrame.put("corpus-camera/1", "frame over the size limit (" + oversized.length / 1024 + " KB PNG, limit "
                    + 4096 + " KB)");

            // and the stream still runs: 20 more good frames
            for (int i = 0; i < 20; i++) {
                String goodId = "good/" + goodSeq;
                raw.send(new ProducerRecord<>(frames, "good", frameWriter.serialize(frames,
                        Pipelines.frame("good", goodSeq, good.get(goodSeq % good.size())))));
                expectedOutcome.put(goodId, "classified");
                sentGood.add(goodId);
                goodSeq++;
            }
            raw.flush();
            ledger.settle(expectedOutcome.size(), Duration.ofSeconds(120), Duration.ofSeconds(3));

            Map<String, String> actual = new LinkedHashMap<>();
            Map<String, String> messages = new LinkedHashMap<>();
            for (Classification c : ledger.events()) {
                actual.merge(c.getCameraId() + "/" + c.getFrameSequence(), "classified", (a, b) -> a + "+" + b);
            }
            for (DeadLetter d : ledger.deadLetters()) {
                String id = d.getFrameSequence() != null ? d.getCameraId() + "/" + d.getFrameSequence() : d.getCameraId();
                actual.merge(id, d.getReason().name(), (a, b) -> a + "+" + b);
                messages.put(id, d.getService() + ": " + d.getMessage());
            }
            long lost = expectedOutcome.keySet().stream().filter(id -> !actual.containsKey(id)).count();
            long duplicated = actual.values().stream().filter(v -> v.contains("+")).count();
            writeCorpusReport(itemOfFrame, expectedOutcome, actual, messages);
            FaultTable.record(new FaultTable.Row("4", "bad-input corpus on frames (" + itemOfFrame.size()
                    + " items, a good frame after each)", expectedOutcome.size(), ledger.eventCount(),
                    ledger.deadLetterCount(), lost, duplicated, "every invalid item dead-lettered with its reason, every "
                    + "valid image classified, the stream never stopped; per item: target/bad-input-corpus.md"));

            assertThat(actual).as("outcome of every frame").containsExactlyInAnyOrderEntriesOf(expectedOutcome);
            assertThat(ledger.deadLetters()).allSatisfy(d -> {
                assertThat(d.getMessage()).isNotBlank();
                assertThat(d.getOriginalTopic()).isEqualTo(frames);
            });
            for (DeadLetter d : ledger.deadLetters()) {
                if (d.getService().equals("stream-processor")) {
                    String name = itemOfFrame.get(d.getFrameSequence() != null ? d.getCameraId() + "/" + d.getFrameSequence()
                            : d.getCameraId());
                    assertThat(d.getOriginalOffset()).as("offset of %s", name).isEqualTo(offsets.get(name).offset());
                } else {
                    assertThat(d.getService()).isEqualTo("producers");
                    assertThat(d.getOriginalOffset()).isEqualTo(-1L);
                    assertThat(d.getOriginalValue()).isNull();
                }
            }
            assertThat(stats.published()).isEqualTo(3);
            assertThat(stats.acknowledged()).isEqualTo(2);
            assertThat(stats.rejected()).isEqualTo(1);
            assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(logs.lines()).as("no stream thread ever failed").noneMatch(l -> l.contains("Stream thread failed"));
            List<byte[]> sentImages = new ArrayList<>(good);
            images.values().forEach(v -> sentImages.add((byte[]) v[0]));
            assertThat(ImageLeaks.suspiciousLines(logs.lines(), ImageLeaks.fingerprints(sentImages)))
                    .as("log lines carrying image bytes").isEmpty();
        }
    }

    private static Capture capture(byte[] image, String contentType) {
        return Capture.of(image, contentType, 0, 0, Instant.now(), "corpus");
    }

    private static void writeCorpusReport(Map<String, String> items, Map<String, String> expected,
                                          Map<String, String> actual, Map<String, String> messages) {
        StringBuilder b = new StringBuilder("| input | expected | outcome | dead-letter message |\n|---|---|---|---|\n");
        items.forEach((id, name) -> b.append("| ").append(name).append(" | ").append(expected.get(id)).append(" | ")
                .append(actual.getOrDefault(id, "LOST")).append(" | ")
                .append(messages.getOrDefault(id, "").replace("|", "/").replace("\n", " ")).append(" |\n"));
        long goodFrames = expected.keySet().stream().filter(id -> id.startsWith("good/")).count();
        long goodClassified = expected.keySet().stream().filter(id -> id.startsWith("good/"))
                .filter(id -> "classified".equals(actual.get(id))).count();
        b.append("| good frames between and after the bad ones | classified | ").append(goodClassified).append(" of ")
                .append(goodFrames).append(" classified | |\n");
        System.out.print(b);
        try {
            Path file = FaultTable.file().resolveSibling("bad-input-corpus.md");
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A camera that yields a fixed list of captures as fast as Kafka takes them, then ends. */
    static final class ScriptedCamera implements CameraSource {
        private final String id;
        private final Deque<Capture> captures;

        ScriptedCamera(String id, List<Capture> captures) {
            this.id = id;
            this.captures = new ArrayDeque<>(captures);
        }

        @Override
        public String cameraId() {
            return id;
        }

        @Override
        public double fps() {
            return 0;
        }

        @Override
        public synchronized Capture next() {
            return captures.poll();
        }

        @Override
        public void close() {
        }
    }
}
