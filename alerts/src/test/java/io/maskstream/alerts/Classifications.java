package io.maskstream.alerts;

import io.maskstream.events.AgeBand;
import io.maskstream.events.AgeHead;
import io.maskstream.events.Classification;
import io.maskstream.events.Gender;
import io.maskstream.events.GenderHead;
import io.maskstream.events.MaskHead;
import io.maskstream.events.MaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Classification events as the processor writes them, for the tests. */
final class Classifications {

    static final Instant T0 = Instant.parse("2024-05-01T09:00:00Z");

    private Classifications() {
    }

    static Classification of(String camera, long seq, long captureOffsetMillis, MaskState label, float p, String model) {
        List<Float> probs = new ArrayList<>(List.of(0f, 0f, 0f));
        float rest = (1f - p) / 2f;
        for (MaskState s : MaskState.values()) {
            probs.set(s.ordinal(), s == label ? p : rest);
        }
        Instant capture = T0.plusMillis(captureOffsetMillis);
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq)
                .setCaptureTime(capture).setProcessedTime(capture.plusMillis(40)).setLatencyMs(40)
                .setModelVersion(model)
                .setMask(MaskHead.newBuilder().setLabel(label).setProbability(p).setProbabilities(probs).build())
                .setGender(GenderHead.newBuilder().setLabel(Gender.MALE).setProbability(0.8f)
                        .setProbabilities(List.of(0.8f, 0.2f)).build())
                .setAge(AgeHead.newBuilder().setLabel(AgeBand.UNDER_30).setProbability(0.6f)
                        .setProbabilities(List.of(0.6f, 0.3f, 0.1f)).build())
                .setClassCode(label.ordinal() * 6).setClassProbability(p * 0.8f * 0.6f).setBatchSize(8)
                .setSource(null).build();
    }

    /** A person's face in a scene: their track, where they are, and their mask. */
    record Person(long track, float x, MaskState label, float p) {
    }

    /** A detect-mode frame: one face per person (none for an empty scene), the largest (first) at frame level. */
    static Classification scene(String camera, long seq, long captureOffsetMillis, Person... people) {
        Classification frame = of(camera, seq, captureOffsetMillis, MaskState.WORN, 0.9f, "v-scene");
        List<io.maskstream.events.Face> faces = new ArrayList<>();
        for (Person person : people) {
            Classification one = of(camera, seq, captureOffsetMillis, person.label(), person.p(), "v-scene");
            faces.add(io.maskstream.events.Face.newBuilder()
                    .setBox(io.maskstream.events.FaceBox.newBuilder().setX(person.x()).setY(40).setWidth(50).setHeight(60)
                            .build())
                    .setDetectionScore(0.95f).setMask(one.getMask()).setGender(one.getGender()).setAge(one.getAge())
                    .setClassCode(one.getClassCode()).setClassProbability(one.getClassProbability())
                    .setTrackId(person.track()).build());
        }
        io.maskstream.events.Face top = faces.isEmpty() ? null : faces.get(0);
        return Classification.newBuilder(frame).setFaces(faces).setDetectorVersion("v-scene")
                .setMask(top == null ? null : top.getMask()).setGender(top == null ? null : top.getGender())
                .setAge(top == null ? null : top.getAge()).setClassCode(top == null ? null : top.getClassCode())
                .setClassProbability(top == null ? null : top.getClassProbability()).build();
    }
}
