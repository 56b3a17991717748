package io.maskstream.datasets;

import io.maskstream.events.FaceBox;
import io.maskstream.events.Frame;
import io.maskstream.events.LabeledFace;
import io.maskstream.events.LabeledFrame;
import java.nio.ByteBuffer;
import java.util.List;

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

    /**
     * The labelled frame of a capture that carries ground truth: a portrait (a {@link FrameLabel}: the person's
     * labels at the top level, no faces) or a scene (a {@link SceneLabel}: {@code scene = true}, the faces labelled
     * one by one, the top-level labels null and {@code personId} the sequence id).
     */
    public static LabeledFrame labeledFrame(String cameraId, long sequence, Capture capture) {
        SceneLabel scene = capture.scene();
        if (scene != null) {
            return LabeledFrame.newBuilder()
                    .setFrame(frame(cameraId, sequence, capture))
                    .setPersonId(scene.sequenceId())
                    .setGender(null)
                    .setAge(null)
                    .setRace(null)
                    .setMaskState(null)
                    .setSourcePath(scene.sourcePath())
                    .setFaces(labeledFaces(scene.faces()))
                    .setScene(true)
                    .build();
        }
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

    /** The Avro faces of a scene, in order (each box copied, so the event shares nothing with the label). */
    public static List<LabeledFace> labeledFaces(List<SceneFace> faces) {
        return faces.stream().map(f -> LabeledFace.newBuilder()
                .setBox(FaceBox.newBuilder(f.box()).build())
                .setMaskState(f.maskState())
                .setGender(f.gender())
                .setAge(f.age())
                .setPersonId(f.personId())
                .build()).toList();
    }
}
