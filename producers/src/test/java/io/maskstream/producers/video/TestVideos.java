package io.maskstream.producers.video;

import io.maskstream.events.MaskState;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Video files made from synthetic frames with JavaCV's recorder (MPEG-4 in .mp4), for the video tests. */
public final class TestVideos {

    private TestVideos() {
    }

    /** Writes {@code frames} synthetic frames of {@code width}×{@code height} at {@code fps} to an .mp4 file. */
    public static Path mp4(Path file, int width, int height, int fps, int frames) throws Exception {
        SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(3).withSize(width, height));
        Java2DFrameConverter converter = new Java2DFrameConverter();
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), width, height, 0)) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            rec.setFrameRate(fps);
            rec.setGopSize(fps);
            rec.setVideoBitrate(1_500_000);
            rec.start();
            for (int i = 0; i < frames; i++) {
                BufferedImage rgb = faces.render(faces.person(i / 10), MaskState.values()[(i / 10) % 3], i);
                BufferedImage bgr = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
                bgr.getGraphics().drawImage(rgb, 0, 0, null);
                rec.record(converter.convert(bgr));
            }
            rec.stop();
        }
        return file;
    }
}
