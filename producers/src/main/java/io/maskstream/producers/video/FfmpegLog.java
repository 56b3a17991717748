package io.maskstream.producers.video;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes FFmpeg's own log lines (warnings and errors only) to SLF4J, with URL credentials masked: native code
 * would otherwise print to stderr, where a {@code user:password@} could leak.
 */
final class FfmpegLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.maskstream.producers.video.ffmpeg");
    private static Callback callback; // strongly held: native code calls it

    private FfmpegLog() {
    }

    static synchronized void install() {
        if (callback != null) {
            return;
        }
        callback = new Callback();
        avutil.setLogCallback(callback);
        avutil.av_log_set_level(avutil.AV_LOG_WARNING);
    }

    private static final class Callback extends LogCallback {
        @Override
        public void call(int level, BytePointer msg) {
            String text = StreamAddress.redact(msg.getString()).strip();
            if (text.isEmpty()) {
                return;
            }
            if (level <= avutil.AV_LOG_ERROR) {
                LOG.warn("FFmpeg: {}", text);
            } else {
                LOG.debug("FFmpeg: {}", text);
            }
        }
    }
}
