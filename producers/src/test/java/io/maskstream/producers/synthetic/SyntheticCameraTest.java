package io.maskstream.producers.synthetic;

import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.datasets.Capture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticCameraTest {

    private final SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(5).withSize(96, 128));

    @Test
    void aMaskedCameraNeverShowsAnUnmaskedPersonAndKeepsOnePersonPerStretch() {
        SyntheticCamera cam = new SyntheticCamera("cam-1", 10, faces, Scenario.masked(4, 0.2), 30, 40);
        List<String> sources = drain(cam);
        assertThat(sources).hasSize(40);
        assertThat(sources).noneMatch(s -> s.endsWith(":NONE"));
        assertThat(sources).anyMatch(s -> s.endsWith(":WORN"));
        for (int stretch = 0; stretch < 10; stretch++) {
            assertThat(sources.subList(stretch * 4, stretch * 4 + 4)).containsOnly(sources.get(stretch * 4));
        }
        assertThat(sources.stream().distinct().count()).isGreaterThan(3);
    }

    @Test
    void anUnmaskedCameraShowsUnmaskedPeopleForStretches() {
        List<String> sources = drain(new SyntheticCamera("cam-2", 10, faces, Scenario.unmasked(5, 0.6, 0.1), 30, 200));
        long none = sources.stream().filter(s -> s.endsWith(":NONE")).count();
        assertThat(none).isBetween(60L, 180L);
        assertThat(drain(new SyntheticCamera("cam-3", 10, faces, Scenario.unmasked(5, 1.0, 0), 30, 20)))
                .allSatisfy(s -> assertThat(s).endsWith(":NONE"));
    }

    @Test
    void aCameraReplaysTheSameFramesForTheSameSeedAndId() {
        SyntheticCamera a = new SyntheticCamera("cam-1", 10, faces, Scenario.masked(3, 0.3), 10, 6);
        SyntheticCamera b = new SyntheticCamera("cam-1", 10, faces, Scenario.masked(3, 0.3), 10, 6);
        for (int i = 0; i < 6; i++) {
            Capture x = a.next();
            Capture y = b.next();
            assertThat(x.image()).isEqualTo(y.image());
            assertThat(x.source()).isEqualTo(y.source());
            assertThat(x.width()).isEqualTo(96);
        }
        assertThat(a.next()).isNull();
        SyntheticCamera other = new SyntheticCamera("cam-9", 10, faces, Scenario.masked(3, 0.3), 10, 6);
        assertThat(other.next().image()).isNotEqualTo(new SyntheticCamera("cam-1", 10, faces, Scenario.masked(3, 0.3), 10, 6)
                .next().image());
    }

    private static List<String> drain(SyntheticCamera cam) {
        List<String> sources = new ArrayList<>();
        for (Capture c = cam.next(); c != null; c = cam.next()) {
            sources.add(c.source());
        }
        return sources;
    }
}
