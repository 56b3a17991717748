package io.maskstream.datasets;

import io.maskstream.events.Frame;
import io.maskstream.events.LabeledFrame;
import java.nio.ByteBuffer;

/** Builds the Avro events from a capture: the one place that maps a {@link Capture} onto {@code Frame} fields. */
public final class Frames {

    private Frames() {
    }

    /** The frame a camera publishes: keyed by {@code cameraId}, numbered by {@code sequence}. */
    public static Frame frame(String cameraId, long sequence, Capture capture) {
        return Frame.newBuilder()
                .setCameraId(cameraId)
                .setSequence(sequence)
                .setCaptureTime(capture.captureTime())
                .setImage(ByteBuffer.wrap(capture.image()))
                .setContentType(capture.contentType())
                .setWidth(capture.width() > 0 ? capture.width() : null)
                .setHeight(capture.height() > 0 ? capture.height() : null)
                .setSource(capture.source())
                .build();
    }

    /** The labelled frame of a capture that carries a {@link FrameLabel}. */
    public static LabeledFrame labeledFrame(String cameraId, long sequence, Capture capture) {
        FrameLabel label = capture.label();
        if (label == null) {
            throw new IllegalArgumentException("capture has no label: " + capture);
        }
        return LabeledFrame.newBuilder()
                .setFrame(frame(cameraId, sequence, capture))
                .setPersonId(label.personId())
                .setGender(label.gender())
                .setAge(label.age())
                .setRace(label.race())
                .setMaskState(label.maskState())
                .setSourcePath(label.sourcePath())
                .build();
    }
}
