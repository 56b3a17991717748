package io.maskstream.producers.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameSamplerTest {

    private static List<Integer> kept(FrameSampler s, double sourceFps, int frames) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            if (s.accept(Math.round(i * 1_000_000 / sourceFps))) {
                kept.add(i);
            }
        }
        return kept;
    }

    @Test
    void keepsFramesOnTheGridOfTheTargetRate() {
        assertThat(kept(FrameSampler.streamTime(5), 30, 60)).containsExactly(0, 6, 12, 18, 24, 30, 36, 42, 48, 54);
        assertThat(kept(FrameSampler.streamTime(5), 10, 30)).hasSize(15);
        assertThat(kept(FrameSampler.streamTime(15), 30, 30)).hasSize(15);
        assertThat(kept(FrameSampler.streamTime(12.5), 25, 100)).hasSize(50);
    }

    @Test
    void neverRepeatsFramesWhenTheStreamIsSlowerThanTheTarget() {
        assertThat(kept(FrameSampler.streamTime(30), 10, 20)).hasSize(20);
        assertThat(kept(FrameSampler.streamTime(0), 10, 20)).hasSize(20);
    }

    @Test
    void reanchorsAfterAJumpBackOrAGap() {
        FrameSampler s = FrameSampler.streamTime(5);
        assertThat(s.accept(10_000_000)).isTrue();
        assertThat(s.accept(10_100_000)).isFalse();
        assertThat(s.accept(0)).as("stream restarted from 0").isTrue();
        assertThat(s.accept(100_000)).isFalse();
        assertThat(s.accept(200_000)).isTrue();
        assertThat(s.accept(5_000_000)).as("after a gap").isTrue();
        assertThat(s.accept(5_100_000)).isFalse();
        assertThat(s.accept(5_200_000)).isTrue();
    }

    @Test
    void arrivalTimeSamplingKeepsTheFramesOnTheBeatThroughJitter() {
        // 10 frames/s arriving up to ±20 ms off their 100 ms beat, sampled at 5 fps: every other frame, on the beat
        assertThat(keptWithJitter(FrameSampler.arrivalTime(5))).hasSize(50).allMatch(i -> i % 2 == 0);
    }

    private static List<Integer> keptWithJitter(FrameSampler s) {
        java.util.Random random = new java.util.Random(7);
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (s.accept(i * 100_000L + random.nextInt(40_001) - 20_000)) {
                kept.add(i);
            }
        }
        return kept;
    }

    @Test
    void backoffDoublesUpToTheCapAndResets() {
        Backoff b = new Backoff(100, 700);
        assertThat(List.of(b.nextDelayMs(), b.nextDelayMs(), b.nextDelayMs(), b.nextDelayMs(), b.nextDelayMs()))
                .containsExactly(100L, 200L, 400L, 700L, 700L);
        assertThat(b.failures()).isEqualTo(5);
        b.reset();
        assertThat(b.failures()).isZero();
        assertThat(b.nextDelayMs()).isEqualTo(100);
    }
}
