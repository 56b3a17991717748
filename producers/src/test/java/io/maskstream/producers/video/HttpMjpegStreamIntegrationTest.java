package io.maskstream.producers.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.maskstream.datasets.Capture;
import io.maskstream.datasets.ImageCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP camera as most IP cameras serve one: {@code multipart/x-mixed-replace} JPEG ("MJPEG over HTTP") from a real
 * HTTP server in the test, given by its URL alone (FFmpeg recognises the format). Each connection streams 3 s of
 * frames at 10 fps and then drops, so the source must reconnect by itself to keep reading.
 */
class HttpMjpegStreamIntegrationTest {

    private static final String BOUNDARY = "maskstreamframe";

    private HttpServer server;
    private LiveReader reader;

    @Test
    void readsAnMjpegHttpCameraAtTheConfiguredFpsAndReconnectsWhenTheServerDropsIt() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        List<Capture> frames = LiveReader.newFrameList();
        List<Integer> keptAtConnect = Collections.synchronizedList(new ArrayList<>());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/video.mjpg", exchange -> {
            keptAtConnect.add(frames.size());
            connections.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace; boundary=" + BOUNDARY);
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 30; i++) {
                    byte[] jpeg = ImageCodec.jpeg(frame(i), 85);
                    out.write(("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(jpeg);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/video.mjpg";

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        reader = new LiveReader(new VideoSource("http-cam", StreamAddress.parse(url, null),
                new VideoSource.Settings(5, 80, true, 200, 1000, 0, 3000, "tcp"), registry), frames);

        await().atMost(Duration.ofSeconds(30)).until(() -> connections.get() >= 2 && frames.size() >= 20);

        assertThat(registry.get("maskstream.producer.stream.reconnects").tag("camera", "http-cam").counter().count())
                .as("reconnected after the server dropped the connection").isGreaterThanOrEqualTo(1);
        assertThat(registry.get("maskstream.producer.stream.frames.dropped").tag("camera", "http-cam").counter().count())
                .as("a 10 fps camera sampled at 5 fps drops frames").isGreaterThan(0);
        for (Capture c : reader.frames()) {
            assertThat(c.contentType()).isEqualTo(ImageCodec.JPEG);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(c.image()));
            assertThat(img.getWidth()).isEqualTo(192);
            assertThat(img.getHeight()).isEqualTo(256);
            assertThat(c.source()).isEqualTo(url);
        }
        // MJPEG carries no timestamps (FFmpeg assumes 25 fps), so a live stream is sampled by arrival time: over a
        // whole 3 s connection at 10 frames/s, 5 fps keeps about 15 frames (not the 6 that 25 fps timestamps give)
        await().atMost(Duration.ofSeconds(20)).until(() -> connections.get() >= 3);
        int wholeConnection = keptAtConnect.get(2) - keptAtConnect.get(1);
        assertThat(wholeConnection).as("frames kept from the second connection").isBetween(11, 17);
    }

    /** A 192×256 test picture whose content changes every frame. */
    private static BufferedImage frame(int i) {
        BufferedImage img = new BufferedImage(192, 256, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 90 + 5 * i, 160));
        g.fillRect(0, 0, 192, 256);
        g.setColor(Color.WHITE);
        g.fillOval(20 + 4 * i, 60, 80, 100);
        g.dispose();
        return img;
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (reader != null) {
            reader.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }
}
