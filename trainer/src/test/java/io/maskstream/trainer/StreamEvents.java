package io.maskstream.trainer;

import io.maskstream.events.AgeBand;
import io.maskstream.events.AgeHead;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Face;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Frame;
import io.maskstream.events.Gender;
import io.maskstream.events.GenderHead;
import io.maskstream.events.MaskHead;
import io.maskstream.events.MaskState;
import io.maskstream.model.LabelCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Frames, classifications and dead letters as the producers and the processor write them, for the pseudo-label tests. */
final class StreamEvents {

    static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    private StreamEvents() {
    }

    static Frame frame(String camera, long seq, byte[] jpeg, String source) {
        return Frame.newBuilder().setCameraId(camera).setSequence(seq).setCaptureTime(T0.plusMillis(seq))
                .setImage(ByteBuffer.wrap(jpeg)).setContentType("image/jpeg").setWidth(null).setHeight(null)
                .setSource(source).build();
    }

    /** A whole-frame event (one face, no detector) saying {@code classCode} with {@code probability}. */
    static Classification classification(String camera, long seq, String version, int classCode, float probability) {
        return classification(camera, seq, version, classCode, probability, 1, null);
    }

    /** An event with {@code faces} faces (each saying {@code classCode}), found by {@code detector} (null: whole frame). */
    static Classification classification(String camera, long seq, String version, int classCode, float probability,
                                         int faces, String detector) {
        MaskHead mask = MaskHead.newBuilder().setLabel(MaskState.values()[LabelCodec.mask(classCode).ordinal()])
                .setProbability(1f).setProbabilities(List.of(1f, 0f, 0f)).build();
        GenderHead gender = GenderHead.newBuilder().setLabel(Gender.values()[LabelCodec.gender(classCode).ordinal()])
                .setProbability(1f).setProbabilities(List.of(1f, 0f)).build();
        AgeHead age = AgeHead.newBuilder().setLabel(AgeBand.values()[LabelCodec.age(classCode).ordinal()])
                .setProbability(probability).setProbabilities(List.of(probability, 0f, 0f)).build();
        List<Face> list = new ArrayList<>();
        for (int i = 0; i < faces; i++) {
            list.add(Face.newBuilder().setBox(FaceBox.newBuilder().setX(0).setY(0).setWidth(10).setHeight(10).build())
                    .setDetectionScore(1f).setMask(mask).setGender(gender).setAge(age).setClassCode(classCode)
                    .setClassProbability(probability).setTrackId(null).build());
        }
        boolean none = faces == 0;
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq).setCaptureTime(T0.plusMillis(seq))
                .setProcessedTime(T0.plusMillis(seq + 50)).setLatencyMs(50).setModelVersion(version)
                .setMask(none ? null : mask).setGender(none ? null : gender).setAge(none ? null : age)
                .setClassCode(none ? null : classCode).setClassProbability(none ? null : probability).setBatchSize(1)
                .setSource(null).setFaces(list).setDetectorVersion(detector).build();
    }

    static DeadLetter deadLetter(String topic, int partition, long offset, String camera, Long seq) {
        return DeadLetter.newBuilder().setOriginalTopic(topic).setOriginalPartition(partition).setOriginalOffset(offset)
                .setOriginalTimestamp(T0).setOriginalKey(null).setOriginalValue(null)
                .setReason(DeadLetterReason.UNDECODABLE_IMAGE).setMessage("test").setService("stream-processor")
                .setFailedTime(T0).setCameraId(camera).setFrameSequence(seq).build();
    }
}
