package io.maskstream.producers.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.ImageCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoSourceTest {

    @TempDir
    static Path dir;
    static Path video;

    /** 3 s at 10 fps, 384×512, MPEG-4 in .mp4. */
    @BeforeAll
    static void makeVideo() throws Exception {
        video = TestVideos.mp4(dir.resolve("synthetic.mp4"), 384, 512, 10, 30);
    }

    private static VideoSource source(double fps, boolean realtime, int quality) {
        return new VideoSource("file-cam", StreamAddress.parse(video.toString(), null),
                new VideoSource.Settings(fps, quality, realtime, 100, 1000, 0, 5000, "tcp"), new SimpleMeterRegistry());
    }

    private static List<Capture> drain(VideoSource s) throws Exception {
        List<Capture> out = new ArrayList<>();
        for (Capture c = s.next(); c != null; c = s.next()) {
            out.add(c);
        }
        return out;
    }

    @Test
    void aTenFpsFileReadAtFiveFpsGivesEveryOtherFrameAsDecodableJpegsOfTheRightSize() throws Exception {
        List<Capture> frames;
        try (VideoSource s = source(5, false, 80)) {
            frames = drain(s);
            assertThat(s.next()).as("stays ended").isNull();
        }
        assertThat(frames).hasSize(15);
        for (Capture c : frames) {
            assertThat(c.contentType()).isEqualTo(ImageCodec.JPEG);
            assertThat(ImageCodec.contentType(c.image())).contains(ImageCodec.JPEG);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(c.image()));
            assertThat(img.getWidth()).isEqualTo(384);
            assertThat(img.getHeight()).isEqualTo(512);
            assertThat(c.width()).isEqualTo(384);
            assertThat(c.height()).isEqualTo(512);
            assertThat(c.source()).isEqualTo(video.toString());
            assertThat(c.label()).isNull();
        }
        // capture times follow reading order
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).captureTime()).isAfterOrEqualTo(frames.get(i - 1).captureTime());
        }
    }

    @Test
    void fpsZeroOrAboveTheFileRateKeepsEveryFrameAndNeverRepeatsOne() throws Exception {
        try (VideoSource all = source(0, false, 80)) {
            assertThat(drain(all)).hasSize(30);
        }
        try (VideoSource faster = source(25, false, 80)) {
            assertThat(drain(faster)).hasSize(30);
        }
        try (VideoSource slow = source(2, false, 80)) {
            assertThat(drain(slow)).hasSize(6);
        }
    }

    @Test
    void realTimePlaybackTakesAboutAsLongAsTheVideo() throws Exception {
        long start = System.nanoTime();
        try (VideoSource s = source(5, true, 60)) {
            assertThat(drain(s)).hasSize(15);
        }
        // 15 frames 200 ms apart: the last is due 2.8 s after the first
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(2_700);
    }

    @Test
    void theJpegQualityIsApplied() throws Exception {
        int low;
        int high;
        try (VideoSource s = source(1, false, 20)) {
            low = s.next().image().length;
        }
        try (VideoSource s = source(1, false, 95)) {
            high = s.next().image().length;
        }
        assertThat(high).isGreaterThan(low * 2);
    }

    @Test
    void aMissingFileIsAClearErrorNotARetryLoop() {
        VideoSource s = new VideoSource("missing", StreamAddress.parse(dir.resolve("nope.mp4").toString(), null),
                new VideoSource.Settings(5, 80, false, 100, 1000, 0, 5000, "tcp"), new SimpleMeterRegistry());
        assertThatThrownBy(s::next).isInstanceOf(IOException.class).hasMessageContaining("Cannot open")
                .hasMessageContaining("nope.mp4");
        s.close();
    }

    @Test
    void aLiveStreamThatNeverAnswersGivesUpAfterMaxAttemptsWithoutLeakingCredentials() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        VideoSource s = new VideoSource("rtsp-cam", StreamAddress.parse("rtsp://admin:s3cret@127.0.0.1:" + port + "/cam", null),
                new VideoSource.Settings(5, 80, true, 20, 40, 3, 1000, "tcp"), registry);
        assertThatThrownBy(s::next).isInstanceOf(IOException.class)
                .hasMessageContaining("Giving up on rtsp://***@127.0.0.1:" + port + "/cam after 3 failed reconnection attempts")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        s.close();
    }
}
