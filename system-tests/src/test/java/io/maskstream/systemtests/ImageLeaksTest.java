package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.Frame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The privacy detectors catch every way of printing image bytes we know of, and pass ordinary log lines. */
class ImageLeaksTest {

    private final byte[] jpeg = Pipelines.faces(1, 96, 128, 3).get(0);
    private final List<String> fingerprints = ImageLeaks.fingerprints(List.of(jpeg));

    private List<String> flagged(String line) {
        return ImageLeaks.suspiciousLines(List.of(line), fingerprints);
    }

    @Test
    void everyPrintedFormOfImageBytesIsFlagged() {
        Frame frame = Pipelines.frame("cam-1", 7, jpeg);
        byte[] middle = Arrays.copyOfRange(jpeg, 600, 700);
        List<String> leaks = List.of(
                "Frame received: " + frame,                                             // Avro toString
                "image " + Arrays.toString(jpeg),                                       // Arrays.toString
                "image " + new String(jpeg, StandardCharsets.ISO_8859_1),               // bytes as Latin-1
                "image " + new String(jpeg, StandardCharsets.UTF_8),                    // bytes as UTF-8
                "image " + Base64.getEncoder().encodeToString(jpeg),                    // base64 of the whole image
                "image " + HexFormat.of().formatHex(jpeg),                              // hex of the whole image
                "chunk " + Base64.getEncoder().encodeToString(Arrays.copyOfRange(jpeg, jpeg.length / 2 / 3 * 3,
                        jpeg.length / 2 / 3 * 3 + 60)),                                // base64 of a middle chunk
                "chunk " + new String(middle, StandardCharsets.ISO_8859_1));            // raw middle bytes
        for (String line : leaks) {
            assertThat(flagged(line)).as("flagged: %s", line.substring(0, Math.min(40, line.length()))).hasSize(1);
        }
    }

    @Test
    void ordinaryLogLinesPass() {
        List<String> lines = List.of(
                "INFO io.maskstream.processor.StreamProcessorService - Stream processor s1-1a2b3c4d started: s1-frames -> "
                        + "s1-classifications (max batch 16, max delay 50 ms, 1 thread(s))",
                "WARN io.maskstream.processor.FrameIntake - Dead-lettering frame (s4-frames-0@12): UNDECODABLE_IMAGE - the "
                        + "JPEG image is truncated or corrupt (decoder: Truncated File - Missing EOI marker)",
                "INFO i.m.p.ReleaseLoader - Release v-next (fastnet, 2101234 bytes) fetched, verified and warmed up: sha256 "
                        + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "client " + UUID.randomUUID() + "-" + UUID.randomUUID() + "-StreamThread-1-consumer",
                "ERROR Stream thread failed\norg.apache.kafka.streams.errors.StreamsException: Exception caught in process."
                        + " taskId=0_1\n\tat org.apache.kafka.streams.processor.internals.StreamTask.process(StreamTask.java:1)");
        assertThat(ImageLeaks.suspiciousLines(lines, fingerprints)).isEmpty();
    }

    @Test
    void imageBytesInsideAnEventAreFound() {
        assertThat(ImageLeaks.containsImageSignature(jpeg)).isTrue();
        assertThat(ImageLeaks.containsChunkOf(Arrays.copyOfRange(jpeg, jpeg.length / 2 - 10, jpeg.length / 2 + 30),
                List.of(jpeg))).isTrue();
        assertThat(ImageLeaks.containsImageSignature("cam-1 WORN 0.93".getBytes(StandardCharsets.UTF_8))).isFalse();
    }
}
