package io.maskstream.producers.video;

import io.maskstream.datasets.Frames;

import io.maskstream.producers.CameraSource;
import io.maskstream.datasets.Capture;
import io.maskstream.datasets.ImageCodec;
import io.maskstream.producers.ProducersConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A video file, network stream or webcam as a camera, through FFmpeg. Frames are sampled down to the target fps
 * by their stream timestamps (never duplicated) and JPEG-encoded at the configured quality. A file ends the
 * camera at its end (played in real time, like a camera, unless {@code realtime} is off); a live stream that
 * drops or stalls longer than the timeout is reopened with exponential backoff, for ever or up to
 * {@code maxAttempts} consecutive failures. Credentials in the address never reach a log line or a frame.
 * Used by one thread at a time (FFmpeg's grabber is not thread-safe).
 */
public final class VideoSource implements CameraSource {

    private static final Logger LOG = LoggerFactory.getLogger(VideoSource.class);

    /**
     * How a stream is read.
     *
     * @param fps                target frames per second (0: every frame)
     * @param jpegQuality        JPEG quality 1..100
     * @param realtime           play files at their own frame rate
     * @param backoffInitialMs   first reconnect wait
     * @param backoffMaxMs       longest reconnect wait
     * @param maxAttempts        consecutive failed (re)connections before giving up (0: never give up)
     * @param timeoutMs          network open/read timeout
     * @param rtspTransport      {@code tcp} or {@code udp}
     */
    public record Settings(double fps, int jpegQuality, boolean realtime, long backoffInitialMs, long backoffMaxMs,
                           int maxAttempts, long timeoutMs, String rtspTransport) {

        public Settings {
            if (fps < 0 || jpegQuality < 1 || jpegQuality > 100 || timeoutMs < 1 || maxAttempts < 0) {
                throw new IllegalArgumentException("invalid video settings: fps >= 0, quality 1..100, timeout >= 1 ms, "
                        + "attempts >= 0");
            }
        }

        public static Settings of(ProducersConfig config) {
            return new Settings(config.getDouble(ProducersConfig.FPS), config.getInt(ProducersConfig.JPEG_QUALITY),
                    config.getBoolean(ProducersConfig.VIDEO_REALTIME), config.getLong(ProducersConfig.RECONNECT_BACKOFF_INITIAL_MS),
                    config.getLong(ProducersConfig.RECONNECT_BACKOFF_MAX_MS), config.getInt(ProducersConfig.RECONNECT_MAX_ATTEMPTS),
                    config.getLong(ProducersConfig.STREAM_TIMEOUT_MS), config.getString(ProducersConfig.RTSP_TRANSPORT));
        }

        public Settings withFps(double newFps) {
            return new Settings(newFps, jpegQuality, realtime, backoffInitialMs, backoffMaxMs, maxAttempts, timeoutMs, rtspTransport);
        }

        public Settings withRealtime(boolean newRealtime) {
            return new Settings(fps, jpegQuality, newRealtime, backoffInitialMs, backoffMaxMs, maxAttempts, timeoutMs, rtspTransport);
        }
    }

    private final String cameraId;
    private final StreamAddress address;
    private final Settings settings;
    private final FrameSampler sampler;
    private final Backoff backoff;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();
    private final Counter reconnects;
    private final Counter decoded;
    private final Counter dropped;
    private FFmpegFrameGrabber grabber;
    private boolean everOpened;
    private boolean ended;
    private long firstTimestamp = -1;
    private long wallStart;
    private long kept;
    private final Object lock = new Object();
    private volatile boolean closed;
    private boolean reading;

    public VideoSource(String cameraId, StreamAddress address, Settings settings, MeterRegistry registry) {
        this.cameraId = Objects.requireNonNull(cameraId, "cameraId");
        if (cameraId.isBlank()) {
            throw new IllegalArgumentException("camera id is blank");
        }
        this.address = Objects.requireNonNull(address, "address");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sampler = address.live() ? FrameSampler.arrivalTime(settings.fps()) : FrameSampler.streamTime(settings.fps());
        this.backoff = new Backoff(settings.backoffInitialMs(), Math.max(settings.backoffInitialMs(), settings.backoffMaxMs()));
        this.reconnects = io.micrometer.core.instrument.Counter.builder("maskstream.producer.stream.reconnects").description("Reconnects to a live stream after it dropped")
                .tag("camera", cameraId).register(registry);
        this.decoded = io.micrometer.core.instrument.Counter.builder("maskstream.producer.stream.frames.decoded").description("Frames decoded from a video file or stream")
                .tag("camera", cameraId).register(registry);
        this.dropped = io.micrometer.core.instrument.Counter.builder("maskstream.producer.stream.frames.dropped").description("Decoded frames dropped to keep the configured fps")
                .tag("camera", cameraId).register(registry);
        FfmpegLog.install();
    }

    @Override
    public String cameraId() {
        return cameraId;
    }

    @Override
    public double fps() {
        return settings.fps();
    }

    /** Always: {@link #next()} waits for the stream (or plays a file at its own pace). */
    @Override
    public boolean selfPaced() {
        return true;
    }

    public StreamAddress address() {
        return address;
    }

    /** Frames kept (sampled and encoded) so far. */
    public long framesKept() {
        return kept;
    }

    /**
     * The next sampled frame as JPEG, or null at the end of a file (or once closed). Blocks while a live stream
     * reconnects.
     *
     * @throws IOException when a file cannot be opened or decoded, or a live stream gave up reconnecting
     */
    @Override
    public Capture next() throws IOException, InterruptedException {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            reading = true;
        }
        try {
            return read();
        } finally {
            synchronized (lock) {
                reading = false;
                if (closed) {
                    closeGrabber();
                }
            }
        }
    }

    private Capture read() throws IOException, InterruptedException {
        while (!closed && !ended) {
            if (grabber == null) {
                if (!open()) {
                    continue;
                }
            }
            Frame frame;
            try {
                frame = grabber.grabImage();
            } catch (FrameGrabber.Exception | RuntimeException e) {
                if (!address.live()) {
                    closeGrabber();
                    throw new IOException("Cannot decode " + address.redacted() + ": " + why(e));
                }
                dropped("read failed: " + why(e));
                continue;
            }
            if (frame == null) {
                if (!address.live()) {
                    LOG.info("Camera {}: end of {} after {} frames", cameraId, address.redacted(), kept);
                    closeGrabber();
                    ended = true;
                    return null;
                }
                dropped("the stream ended");
                continue;
            }
            if (frame.image == null) {
                continue;
            }
            decoded.increment();
            backoff.reset();
            long ts = grabber.getTimestamp();
            if (!sampler.accept(address.live() ? TimeUnit.NANOSECONDS.toMicros(System.nanoTime()) : ts)) {
                dropped.increment();
                continue;
            }
            BufferedImage image = converter.getBufferedImage(frame);
            if (image == null) {
                continue;
            }
            byte[] jpeg = ImageCodec.jpeg(image, settings.jpegQuality());
            Instant captured = Instant.now();
            if (!address.live() && settings.realtime()) {
                pace(ts);
                captured = Instant.now();
            }
            kept++;
            return Capture.of(jpeg, ImageCodec.JPEG, image.getWidth(), image.getHeight(), captured, address.redacted());
        }
        return null;
    }

    /** Sleeps until a file's frame at {@code ts} is due, as a camera would deliver it. */
    private void pace(long ts) throws InterruptedException {
        if (firstTimestamp < 0) {
            firstTimestamp = ts;
            wallStart = System.nanoTime();
            return;
        }
        long due = wallStart + TimeUnit.MICROSECONDS.toNanos(ts - firstTimestamp);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** Opens the stream; for a live stream waits out the backoff on failure and returns false (try again). */
    private boolean open() throws IOException, InterruptedException {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(address.location());
        if (address.format() != null) {
            g.setFormat(address.format());
        }
        if (address.kind() == StreamAddress.Kind.NETWORK) {
            String micros = String.valueOf(TimeUnit.MILLISECONDS.toMicros(settings.timeoutMs()));
            String scheme = address.location().substring(0, address.location().indexOf(':')).toLowerCase(java.util.Locale.ROOT);
            g.setOption("rw_timeout", micros);
            // "timeout" means a socket I/O timeout in µs for RTSP and HTTP, but something else (e.g. listen mode
            // for RTMP) elsewhere, so it is only set where it means what we want
            if (scheme.startsWith("rtsp") || scheme.startsWith("http")) {
                g.setOption("timeout", micros);
            }
            if (scheme.startsWith("rtsp")) {
                g.setOption("rtsp_transport", settings.rtspTransport());
            }
        }
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            release(g);
            String why = why(e);
            if (!address.live()) {
                throw new IOException("Cannot open " + address.redacted() + ": " + why);
            }
            waitBeforeRetry("cannot open: " + why);
            return false;
        }
        grabber = g;
        sampler.reset();
        firstTimestamp = -1;
        if (everOpened) {
            reconnects.increment();
            LOG.info("Camera {}: reconnected to {}", cameraId, address.redacted());
        } else {
            LOG.info("Camera {}: opened {} ({}x{}, {} fps, codec {}), sampling at {}", cameraId, address.redacted(),
                    g.getImageWidth(), g.getImageHeight(), String.format("%.2f", g.getVideoFrameRate()), g.getVideoCodecName(),
                    settings.fps() > 0 ? settings.fps() + " fps" : "every frame");
        }
        everOpened = true;
        return true;
    }

    private void dropped(String why) throws IOException, InterruptedException {
        closeGrabber();
        waitBeforeRetry(why);
    }

    private void waitBeforeRetry(String why) throws IOException, InterruptedException {
        if (settings.maxAttempts() > 0 && backoff.failures() >= settings.maxAttempts()) {
            throw new IOException("Giving up on " + address.redacted() + " after " + backoff.failures()
                    + " failed reconnection attempts: " + why);
        }
        long delay = backoff.nextDelayMs();
        LOG.warn("Camera {}: {} {}; retrying in {} ms", cameraId, address.redacted(), why, delay);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        while (!closed && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
        }
    }

    /** An FFmpeg error for an operator: credentials masked, JavaCV's generic hints dropped. */
    private String why(Exception e) {
        return address.scrub(String.valueOf(e.getMessage()))
                .replace(" (Has setFormat() been called?)", "")
                .replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "");
    }

    private void closeGrabber() {
        if (grabber != null) {
            release(grabber);
            grabber = null;
        }
    }

    private void release(FFmpegFrameGrabber g) {
        try {
            g.close();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            LOG.debug("Camera {}: closing the grabber failed: {}", cameraId, address.scrub(String.valueOf(e.getMessage())));
        }
    }

    /**
     * Ends the source. Safe from any thread: a reconnect wait stops at once, and a grabber in use is released by
     * the reading thread when its current read returns.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (!reading) {
                closeGrabber();
            }
        }
    }
}
