package io.maskstream.processor;

import io.maskstream.events.AgeHead;
import io.maskstream.events.Classification;
import io.maskstream.events.Face;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Frame;
import io.maskstream.events.GenderHead;
import io.maskstream.events.MaskHead;
import io.maskstream.model.Box;
import io.maskstream.model.Prediction;
import io.maskstream.model.ScenePipeline;
import io.maskstream.model.Uncertainty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns the model's verdict on a frame's faces into the {@code Classification} event. */
final class Classifications {

    private Classifications() {
    }

    /**
     * The event of a frame: every face, most prominent first, and the first one's verdict at the frame level (null
     * there when the frame has no face).
     *
     * @param trackIds each face's track id, in order; null in whole-frame mode (no tracking)
     */
    static Classification of(AcceptedFrame accepted, List<ScenePipeline.Face> faces, long[] trackIds, String modelVersion,
                             String detectorVersion, int batchSize, long nowMs) {
        Frame frame = accepted.frame();
        long capture = frame.getCaptureTime().toEpochMilli();
        List<Face> events = new ArrayList<>(faces.size());
        for (int i = 0; i < faces.size(); i++) {
            ScenePipeline.Face f = faces.get(i);
            Prediction p = f.prediction();
            int code = p.classCode();
            events.add(Face.newBuilder()
                    .setBox(box(f.detection().box()))
                    .setDetectionScore(f.detection().score())
                    .setMask(mask(p))
                    .setGender(gender(p))
                    .setAge(age(p))
                    .setClassCode(code)
                    .setClassProbability(p.classes()[code])
                    .setTrackId(trackIds == null ? null : trackIds[i])
                    .setUncertainty(uncertainty(p.uncertainty()))
                    .build());
        }
        Face top = events.isEmpty() ? null : events.get(0);
        return Classification.newBuilder()
                .setCameraId(frame.getCameraId())
                .setFrameSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setProcessedTime(Instant.ofEpochMilli(nowMs))
                .setLatencyMs(nowMs - capture)
                .setModelVersion(modelVersion)
                .setMask(top == null ? null : top.getMask())
                .setGender(top == null ? null : top.getGender())
                .setAge(top == null ? null : top.getAge())
                .setClassCode(top == null ? null : top.getClassCode())
                .setClassProbability(top == null ? null : top.getClassProbability())
                .setUncertainty(top == null ? null : top.getUncertainty())
                .setBatchSize(batchSize)
                .setSource(frame.getSource())
                .setOriginalCaptureTime(accepted.originalCaptureTime() == null ? null
                        : Instant.ofEpochMilli(accepted.originalCaptureTime()))
                .setFaces(events)
                .setDetectorVersion(detectorVersion)
                .build();
    }

    static FaceBox box(Box b) {
        return FaceBox.newBuilder().setX((float) b.x()).setY((float) b.y()).setWidth((float) b.w()).setHeight((float) b.h())
                .build();
    }

    /** The event's uncertainty: what the passes behind the prediction say; null for one forward pass. */
    static io.maskstream.events.Uncertainty uncertainty(Uncertainty u) {
        return u == null ? null : io.maskstream.events.Uncertainty.newBuilder().setMethod(u.method()).setPasses(u.passes())
                .setMaskSpread(u.mask()).setGenderSpread(u.gender()).setAgeSpread(u.age()).setClassSpread(u.classes())
                .setAgreement(u.agreement()).build();
    }

    private static MaskHead mask(Prediction p) {
        return MaskHead.newBuilder().setLabel(EventLabels.mask(p.maskLabel())).setProbability(p.mask()[p.maskLabel().ordinal()])
                .setProbabilities(list(p.mask())).build();
    }

    private static GenderHead gender(Prediction p) {
        return GenderHead.newBuilder().setLabel(EventLabels.gender(p.genderLabel()))
                .setProbability(p.gender()[p.genderLabel().ordinal()]).setProbabilities(list(p.gender())).build();
    }

    private static AgeHead age(Prediction p) {
        return AgeHead.newBuilder().setLabel(EventLabels.age(p.ageLabel())).setProbability(p.age()[p.ageLabel().ordinal()])
                .setProbabilities(list(p.age())).build();
    }

    private static List<Float> list(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
