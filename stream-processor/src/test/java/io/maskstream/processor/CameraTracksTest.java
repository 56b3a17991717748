package io.maskstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.model.Box;
import io.maskstream.model.FaceTracker;
import io.maskstream.model.FaceTracks;
import java.util.List;
import org.junit.jupiter.api.Test;

class CameraTracksTest {

    @Test
    void tracksSurviveTheStoreSerdeAndIdsGoOnCountingAfterIt() {
        FaceTracker tracker = new FaceTracker(3, 0.3);
        FaceTracks state = new FaceTracks();
        tracker.assign(state, 0, List.of(new Box(0, 0, 10, 10), new Box(100, 0, 10, 10)));
        var serde = CameraTracks.serde();
        FaceTracks back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));
        assertThat(back.lastId()).isEqualTo(2);
        assertThat(back.lastSequence()).isZero();
        assertThat(back.tracks()).isEqualTo(state.tracks());
        assertThat(tracker.assign(back, 1, List.of(new Box(100, 1, 10, 10), new Box(50, 50, 10, 10)))).containsExactly(2, 3);
    }
}
