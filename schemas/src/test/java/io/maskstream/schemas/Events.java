package io.maskstream.schemas;

import io.maskstream.events.AgeBand;
import io.maskstream.events.AgeHead;
import io.maskstream.events.Classification;
import io.maskstream.events.Frame;
import io.maskstream.events.Gender;
import io.maskstream.events.GenderHead;
import io.maskstream.events.MaskHead;
import io.maskstream.events.MaskState;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/** Sample events for the schema tests. */
final class Events {

    private Events() {
    }

    static Frame frame(String camera, long seq) {
        return Frame.newBuilder().setCameraId(camera).setSequence(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + seq))
                .setImage(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3, (byte) seq}))
                .setContentType("image/jpeg").setWidth(384).setHeight(512).setSource(null).build();
    }

    static Classification classification(String camera, long seq) {
        return Classification.newBuilder().setCameraId(camera).setFrameSequence(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + seq))
                .setProcessedTime(Instant.ofEpochMilli(1_700_000_000_050L + seq)).setLatencyMs(50)
                .setModelVersion("v-test")
                .setMask(MaskHead.newBuilder().setLabel(MaskState.NONE).setProbability(0.75f)
                        .setProbabilities(List.of(0.125f, 0.125f, 0.75f)).build())
                .setGender(GenderHead.newBuilder().setLabel(Gender.FEMALE).setProbability(0.5f)
                        .setProbabilities(List.of(0.5f, 0.5f)).build())
                .setAge(AgeHead.newBuilder().setLabel(AgeBand.FROM_60).setProbability(0.25f)
                        .setProbabilities(List.of(0.5f, 0.25f, 0.25f)).build())
                .setClassCode(17).setClassProbability(0.09375f).setBatchSize(8).setSource("img-" + seq)
                .setUncertainty(seq % 2 == 0 ? null : uncertainty()).build();
    }

    /** The uncertainty of 8 MC-dropout passes, in values a float holds exactly. */
    static io.maskstream.events.Uncertainty uncertainty() {
        return io.maskstream.events.Uncertainty.newBuilder().setMethod("mc-dropout").setPasses(8).setMaskSpread(0.125f)
                .setGenderSpread(0.0625f).setAgeSpread(0.25f).setClassSpread(0.03125f).setAgreement(0.75f).build();
    }
}
