package io.maskstream.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaceTrackerTest {

    final FaceTracker tracker = new FaceTracker(3, 0.3);

    @Test
    void twoPeopleWalkingPastEachOtherKeepTheirIds() {
        FaceTracks state = new FaceTracks();
        long[] first = tracker.assign(state, 0, List.of(new Box(10, 10, 40, 40), new Box(200, 10, 40, 40)));
        assertThat(first).containsExactly(1, 2);
        for (int seq = 1; seq < 30; seq++) {
            // one walks right, the other left, 5 px per frame; listed in changing order
            Box a = new Box(10 + 5 * seq, 10, 40, 40);
            Box b = new Box(200 - 5 * seq, 12, 40, 40);
            long[] ids = seq % 2 == 0 ? tracker.assign(state, seq, List.of(a, b)) : swap(tracker.assign(state, seq, List.of(b, a)));
            assertThat(ids).as("frame " + seq).containsExactly(1, 2);
        }
    }

    private static long[] swap(long[] ids) {
        return new long[] {ids[1], ids[0]};
    }

    @Test
    void aPersonMissedForAFewFramesKeepsTheirIdButOneGoneTooLongGetsANewOne() {
        FaceTracks state = new FaceTracks();
        Box face = new Box(50, 50, 30, 30);
        assertThat(tracker.assign(state, 0, List.of(face))).containsExactly(1);
        assertThat(tracker.assign(state, 1, List.of())).isEmpty();
        assertThat(tracker.assign(state, 4, List.of(face))).as("gap of 3 frames").containsExactly(1);
        assertThat(tracker.assign(state, 9, List.of(face))).as("gap of 5 frames").containsExactly(2);
    }

    @Test
    void aFastMoverIsFollowedByItsCentreWhenTheBoxesNoLongerOverlapEnough() {
        FaceTracks state = new FaceTracks();
        tracker.assign(state, 0, List.of(new Box(0, 0, 40, 40)));
        // IoU of these two is 0.14: below 0.3, but the centre moved 15 px, under half a face width
        assertThat(tracker.assign(state, 1, List.of(new Box(15, 0, 40, 40)))).containsExactly(1);
        assertThat(tracker.assign(state, 2, List.of(new Box(300, 0, 40, 40)))).as("far away: someone else").containsExactly(2);
    }

    @Test
    void idsAreNeverReused() {
        FaceTracks state = new FaceTracks();
        tracker.assign(state, 0, List.of(new Box(0, 0, 10, 10), new Box(100, 0, 10, 10)));
        assertThat(tracker.assign(state, 1, List.of(new Box(100, 1, 10, 10), new Box(50, 50, 10, 10)))).containsExactly(2, 3);
    }

    @Test
    void aCameraThatRestartsItsSequenceStartsNewTracks() {
        FaceTracks state = new FaceTracks();
        Box face = new Box(50, 50, 30, 30);
        tracker.assign(state, 100, List.of(face));
        assertThat(tracker.assign(state, 0, List.of(face))).containsExactly(2);
    }
}
