package io.maskstream.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.AlertKind;
import io.maskstream.events.MaskState;
import org.junit.jupiter.api.Test;

/** The rule itself and the stored form of its state, without Kafka. */
class DebounceRulesTest {

    final DebounceRules rules = new DebounceRules(0.7, 3, 5, 1000, true);

    static DebounceRules.Observation frame(long seq, long millis, MaskState label, float p) {
        return new DebounceRules.Observation(seq, millis, label, p);
    }

    @Test
    void theStoredStateRoundTripsMidEpisode() {
        CameraState s = new CameraState();
        rules.observe(s, frame(0, 0, MaskState.NONE, 0.9f));
        rules.observe(s, frame(1, 10, MaskState.INCORRECT, 0.8f));
        rules.observe(s, frame(2, 20, MaskState.NONE, 0.95f));
        DebounceRules.Outcome fired = rules.observe(s, frame(3, 30, MaskState.NONE, 0.75f));
        assertThat(fired.firing()).isNotNull();
        rules.observe(s, frame(4, 40, MaskState.NONE, 0.9f));

        var serde = CameraState.serde();
        CameraState copy = serde.deserializer().deserialize("t", serde.serializer().serialize("t", s));
        assertThat(copy.framesSeen()).isEqualTo(5);
        assertThat(copy.window()).containsExactlyElementsOf(s.window());
        assertThat(copy.episodes()).isEqualTo(s.episodes());
        assertThat(copy.episodes().get(AlertKind.NO_MASK).matchingFrames()).isEqualTo(4);
        assertThat(copy.episodes().get(AlertKind.NO_MASK).lastMatchSequence()).isEqualTo(4);
    }

    @Test
    void firingConsumesTheMatchesSoTheNextEpisodeCountsAfresh() {
        DebounceRules quick = new DebounceRules(0.7, 2, 5, 0, true);
        CameraState s = new CameraState();
        quick.observe(s, frame(0, 0, MaskState.NONE, 0.9f));
        assertThat(quick.observe(s, frame(1, 1, MaskState.NONE, 0.9f)).firing().firstSequence()).isEqualTo(0);
        // quiet period 0: the next frame re-arms, but the two frames that fired do not count again
        DebounceRules.Outcome next = quick.observe(s, frame(2, 2, MaskState.NONE, 0.9f));
        assertThat(next.rearmed()).hasSize(1);
        assertThat(next.firing()).isNull();
        assertThat(quick.observe(s, frame(3, 3, MaskState.NONE, 0.9f)).firing().firstSequence()).isEqualTo(2);
    }

    @Test
    void outOfOrderCaptureTimesNeverReArmEarly() {
        CameraState s = new CameraState();
        for (int i = 0; i < 3; i++) {
            rules.observe(s, frame(i, 5000 + i, MaskState.NONE, 0.9f));
        }
        assertThat(rules.observe(s, frame(3, 100, MaskState.WORN, 0.9f)).rearmed()).isEmpty();
        assertThat(rules.observe(s, frame(4, 6003, MaskState.WORN, 0.9f)).rearmed()).hasSize(1);
    }
}
