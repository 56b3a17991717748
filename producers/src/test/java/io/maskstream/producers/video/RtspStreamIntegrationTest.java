package io.maskstream.producers.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maskstream.datasets.Capture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real live stream: Debian's {@code rtsp-server-perl} fed by Debian's {@code ffmpeg} (UDP transport: that server
 * does not understand TCP-interleaved RTSP). Skipped only when those two binaries are absent.
 */
class RtspStreamIntegrationTest {

    private static final Path SERVER = Path.of("/usr/bin/rtsp-server-perl");
    private static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");

    @TempDir
    Path dir;

    private Process server;
    private Process pusher;
    private LiveReader reader;

    @Test
    void readsALiveStreamAndReconnectsAfterTheServerRestarts() throws Exception {
        assumeTrue(Files.isExecutable(SERVER) && Files.isExecutable(FFMPEG),
                "needs Debian's rtsp-server-perl and ffmpeg in /usr/bin");
        Path video = TestVideos.mp4(dir.resolve("loop.mp4"), 192, 256, 10, 20);
        int clientPort = freePort();
        int sourcePort = freePort();
        int rtpPort = 30_000 + 2 * ThreadLocalRandom.current().nextInt(5_000);
        startStream(video, clientPort, sourcePort, rtpPort);

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Capture> frames = LiveReader.newFrameList();
        StreamAddress address = StreamAddress.parse("rtsp://127.0.0.1:" + clientPort + "/cam1", null);
        reader = new LiveReader(new VideoSource("rtsp-cam", address,
                new VideoSource.Settings(5, 80, true, 200, 1000, 0, 2000, "udp"), registry), frames);

        await().atMost(Duration.ofSeconds(15)).until(() -> frames.size() >= 3);

        stopStream();
        int before = frames.size();
        startStream(video, clientPort, sourcePort, rtpPort + 100);

        await().atMost(Duration.ofSeconds(20)).until(() -> frames.size() >= before + 3);
        assertThat(registry.get("maskstream.producer.stream.reconnects").tag("camera", "rtsp-cam").counter().count())
                .isGreaterThanOrEqualTo(1);
        for (Capture c : reader.frames()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(c.image()));
            assertThat(img.getWidth()).isEqualTo(192);
            assertThat(img.getHeight()).isEqualTo(256);
            assertThat(c.source()).isEqualTo("rtsp://127.0.0.1:" + clientPort + "/cam1");
        }
    }

    private void startStream(Path video, int clientPort, int sourcePort, int rtpPort) throws Exception {
        server = new ProcessBuilder(SERVER.toString(), "-c", String.valueOf(clientPort), "-s", String.valueOf(sourcePort),
                "--client_listen_address", "127.0.0.1", "--source_listen_address", "127.0.0.1",
                "--rtp_start_port", String.valueOf(rtpPort))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> listening(sourcePort));
        pusher = new ProcessBuilder(FFMPEG.toString(), "-nostdin", "-loglevel", "warning", "-re", "-stream_loop", "-1",
                "-i", video.toString(), "-c:v", "mpeg4", "-f", "rtsp", "rtsp://127.0.0.1:" + sourcePort + "/cam1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("pusher.log").toFile()).start();
    }

    private void stopStream() throws InterruptedException {
        for (Process p : new Process[] {pusher, server}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (reader != null) {
            reader.close();
        }
        stopStream();
    }

    private static boolean listening(int port) {
        try {
            new java.net.Socket("127.0.0.1", port).close();
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
