package io.maskstream.app.dashboard;

import io.maskstream.events.AgeBand;
import io.maskstream.events.AgeHead;
import io.maskstream.events.Alert;
import io.maskstream.events.AlertKind;
import io.maskstream.events.ClassMetrics;
import io.maskstream.events.Classification;
import io.maskstream.events.Face;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.GenderHead;
import io.maskstream.events.MaskHead;
import io.maskstream.events.MaskState;
import io.maskstream.events.ModelMetrics;
import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Events shaped as the processor, the alerts service and the trainer write them, for the dashboard's tests. */
final class DashboardEvents {

    private DashboardEvents() {
    }

    /** A verdict whose heads put {@code p}, {@code pGender}, {@code pAge} on the given labels and share the rest. */
    static Classification classification(String camera, long seq, Instant processed, long latencyMs, MaskState mask,
                                         float p, Gender gender, float pGender, AgeBand age, float pAge, String model) {
        Instant capture = processed.minusMillis(latencyMs);
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq)
                .setCaptureTime(capture).setProcessedTime(processed).setLatencyMs(latencyMs).setModelVersion(model)
                .setMask(MaskHead.newBuilder().setLabel(mask).setProbability(p)
                        .setProbabilities(spread(MaskState.values().length, mask.ordinal(), p)).build())
                .setGender(GenderHead.newBuilder().setLabel(gender).setProbability(pGender)
                        .setProbabilities(spread(2, gender.ordinal(), pGender)).build())
                .setAge(AgeHead.newBuilder().setLabel(age).setProbability(pAge)
                        .setProbabilities(spread(3, age.ordinal(), pAge)).build())
                .setClassCode(mask.ordinal() * 6 + gender.ordinal() * 3 + age.ordinal())
                .setClassProbability(p * pGender * pAge).setBatchSize(8).setSource(null).build();
    }

    static Classification classification(String camera, long seq, long processedMillis, long latencyMs, MaskState mask) {
        return classification(camera, seq, Instant.ofEpochMilli(processedMillis), latencyMs, mask, 0.9f, Gender.FEMALE,
                0.8f, AgeBand.FROM_30_TO_59, 0.7f, "v1");
    }

    /**
     * A detect-mode verdict: every face given, largest first as the processor orders them, the first one's verdict
     * at the frame level (null there when there is no face).
     */
    static Classification scene(String camera, long seq, long processedMillis, long latencyMs, Face... faces) {
        return scene(camera, seq, processedMillis, latencyMs, "blazeface-front-1", faces);
    }

    /** A whole-frame verdict (portrait feeds): one face, the centre crop the classifier saw, no track, no detector. */
    static Classification wholeFrame(String camera, long seq, long processedMillis, long latencyMs, Face crop) {
        return scene(camera, seq, processedMillis, latencyMs, null, new Face[] {crop});
    }

    private static Classification scene(String camera, long seq, long processedMillis, long latencyMs, String detector,
                                        Face[] faces) {
        Instant processed = Instant.ofEpochMilli(processedMillis);
        Face top = faces.length == 0 ? null : faces[0];
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq)
                .setCaptureTime(processed.minusMillis(latencyMs)).setProcessedTime(processed).setLatencyMs(latencyMs)
                .setModelVersion("v1")
                .setMask(top == null ? null : top.getMask()).setGender(top == null ? null : top.getGender())
                .setAge(top == null ? null : top.getAge()).setClassCode(top == null ? null : top.getClassCode())
                .setClassProbability(top == null ? null : top.getClassProbability()).setBatchSize(8).setSource(null)
                .setFaces(List.of(faces)).setDetectorVersion(detector).build();
    }

    /** A face at {@code (x, y, w, h)} of the frame, a FEMALE 30-59 with the given mask verdict. */
    static Face face(float x, float y, float w, float h, MaskState mask, float p, Long trackId) {
        return Face.newBuilder().setBox(FaceBox.newBuilder().setX(x).setY(y).setWidth(w).setHeight(h).build())
                .setDetectionScore(0.91f)
                .setMask(MaskHead.newBuilder().setLabel(mask).setProbability(p)
                        .setProbabilities(spread(MaskState.values().length, mask.ordinal(), p)).build())
                .setGender(GenderHead.newBuilder().setLabel(Gender.FEMALE).setProbability(0.8f)
                        .setProbabilities(spread(2, Gender.FEMALE.ordinal(), 0.8f)).build())
                .setAge(AgeHead.newBuilder().setLabel(AgeBand.FROM_30_TO_59).setProbability(0.7f)
                        .setProbabilities(spread(3, AgeBand.FROM_30_TO_59.ordinal(), 0.7f)).build())
                .setClassCode(mask.ordinal() * 6 + Gender.FEMALE.ordinal() * 3 + AgeBand.FROM_30_TO_59.ordinal())
                .setClassProbability(p * 0.8f * 0.7f).setTrackId(trackId).build();
    }

    private static List<Float> spread(int n, int at, float p) {
        List<Float> probs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            probs.add(i == at ? p : (1f - p) / (n - 1));
        }
        return probs;
    }

    static Alert alert(String camera, AlertKind kind, long firstSeq, Instant raised, String model) {
        return Alert.newBuilder().setAlertId(camera + "/" + kind + "/" + firstSeq).setCameraId(camera).setKind(kind)
                .setFirstFrameSequence(firstSeq).setLastFrameSequence(firstSeq + 7)
                .setFirstCaptureTime(raised.minusMillis(800)).setLastCaptureTime(raised.minusMillis(60))
                .setRaisedTime(raised).setMatchingFrames(8).setWindowFrames(10).setPeakConfidence(0.94f)
                .setModelVersion(model).build();
    }

    /** An alert about one tracked person, as detect-mode cameras raise them. */
    static Alert alert(String camera, AlertKind kind, long firstSeq, Instant raised, String model, long trackId) {
        Alert a = alert(camera, kind, firstSeq, raised, model);
        a.setAlertId(camera + "/track-" + trackId + "/" + kind + "/" + firstSeq);
        a.setTrackId(trackId);
        a.setBox(FaceBox.newBuilder().setX(10).setY(20).setWidth(60).setHeight(70).build());
        return a;
    }

    /** A drift event of a camera's window ({@code camera} null: the version's overall window). */
    static io.maskstream.events.DriftEvent drift(String camera, String version, io.maskstream.events.DriftStatistic statistic,
                                                 io.maskstream.events.DriftState state, double psi, Instant at) {
        return io.maskstream.events.DriftEvent.newBuilder()
                .setScope(camera == null ? io.maskstream.events.DriftScope.OVERALL : io.maskstream.events.DriftScope.CAMERA)
                .setCameraId(camera).setModelVersion(version).setStatistic(statistic).setState(state).setPsi(psi)
                .setThreshold(0.25).setClearThreshold(0.1).setWindowFrames(300)
                .setReference(io.maskstream.events.DriftReference.TRAINING_PROFILE)
                .setWindowCounts(java.util.Collections.nCopies(18, 1)).setReferenceShares(java.util.Collections.nCopies(18, 1.0 / 18))
                .setEventTime(at).build();
    }

    static ModelRelease release(String version, ReleaseStatus status, Instant created, Double macroF1) {
        ModelMetrics metrics = macroF1 == null ? null : ModelMetrics.newBuilder().setMacroF1(macroF1)
                .setAccuracy(Math.min(1, macroF1 + 0.08)).setMaskF1(Math.min(1, macroF1 + 0.15))
                .setGenderF1(Math.min(1, macroF1 + 0.12)).setAgeF1(Math.max(0, macroF1 - 0.05)).setSamples(3780)
                .setHoldout("person-disjoint 20%, seed 42").setPerClass(perClass(macroF1)).setConfusion(List.of()).build();
        return ModelRelease.newBuilder().setVersion(version).setArchitecture("fastnet-multihead").setInputWidth(128)
                .setInputHeight(128).setStatus(status).setCreatedTime(created).setStatusTime(created.plusSeconds(30))
                .setSha256("0".repeat(64)).setArtifactUri("kafka://model-artifacts/" + version).setArtifactBytes(4_200_000)
                .setTrainingData("labeled-frames offsets 0-12000").setMetrics(metrics).setNotes(null).build();
    }

    private static List<ClassMetrics> perClass(double f1) {
        List<ClassMetrics> list = new ArrayList<>();
        for (int c = 0; c < 18; c++) {
            list.add(ClassMetrics.newBuilder().setClassCode(c).setPrecision(f1).setRecall(f1).setF1(f1).setSupport(210).build());
        }
        return list;
    }
}
