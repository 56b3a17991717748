package io.maskstream.processor;

import io.maskstream.events.AgeHead;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.events.GenderHead;
import io.maskstream.events.MaskHead;
import io.maskstream.model.Prediction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns a model's prediction for a frame into the {@code Classification} event. */
final class Classifications {

    private Classifications() {
    }

    static Classification of(AcceptedFrame accepted, Prediction p, String modelVersion, int batchSize, long nowMs) {
        Frame frame = accepted.frame();
        int code = p.classCode();
        long capture = frame.getCaptureTime().toEpochMilli();
        return Classification.newBuilder()
                .setCameraId(frame.getCameraId())
                .setFrameSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setProcessedTime(Instant.ofEpochMilli(nowMs))
                .setLatencyMs(nowMs - capture)
                .setModelVersion(modelVersion)
                .setMask(MaskHead.newBuilder().setLabel(EventLabels.mask(p.maskLabel())).setProbability(p.mask()[p.maskLabel().ordinal()])
                        .setProbabilities(list(p.mask())).build())
                .setGender(GenderHead.newBuilder().setLabel(EventLabels.gender(p.genderLabel()))
                        .setProbability(p.gender()[p.genderLabel().ordinal()]).setProbabilities(list(p.gender())).build())
                .setAge(AgeHead.newBuilder().setLabel(EventLabels.age(p.ageLabel())).setProbability(p.age()[p.ageLabel().ordinal()])
                        .setProbabilities(list(p.age())).build())
                .setClassCode(code)
                .setClassProbability(p.classes()[code])
                .setBatchSize(batchSize)
                .setSource(frame.getSource())
                .setOriginalCaptureTime(accepted.originalCaptureTime() == null ? null
                        : Instant.ofEpochMilli(accepted.originalCaptureTime()))
                .build();
    }

    private static List<Float> list(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
