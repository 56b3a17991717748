package io.maskstream.producers;

import io.maskstream.producers.synthetic.SyntheticCamera;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.producers.video.StreamAddress;
import io.maskstream.producers.video.VideoSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Camera sources built from the producers' configuration, for commands and for the one-command stack:
 * {@code new CameraPublisher(config, registry, Cameras.synthetic(config, 3, 1, "cam-", 0))}.
 */
public final class Cameras {

    private Cameras() {
    }

    /**
     * {@code count} synthetic cameras {@code <idPrefix>1..<idPrefix>count} at {@code producers.fps}; the first
     * {@code unmasked} of them show unmasked people for stretches, the others masked people.
     *
     * @param framesPerCamera frames after which each camera ends; 0 for no end
     */
    public static List<CameraSource> synthetic(ProducersConfig config, int count, int unmasked, String idPrefix,
                                               long framesPerCamera) {
        if (count < 1 || unmasked < 0 || unmasked > count || framesPerCamera < 0) {
            throw new IllegalArgumentException("need count >= 1, 0 <= unmasked <= count, framesPerCamera >= 0; got "
                    + count + ", " + unmasked + ", " + framesPerCamera);
        }
        SyntheticFaces faces = new SyntheticFaces(config.syntheticOptions());
        int persons = config.getInt(ProducersConfig.SYNTHETIC_PERSONS);
        double fps = config.getDouble(ProducersConfig.FPS);
        List<CameraSource> cameras = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            cameras.add(new SyntheticCamera(idPrefix + i, fps, faces, config.scenario(i <= unmasked), persons,
                    framesPerCamera));
        }
        return cameras;
    }

    /** A video file, network stream or webcam ({@code /dev/video0}) read at {@code producers.fps}. */
    public static VideoSource video(ProducersConfig config, String cameraId, String location, String format,
                                    MeterRegistry registry) {
        return new VideoSource(cameraId, StreamAddress.parse(location, format), VideoSource.Settings.of(config), registry);
    }
}
