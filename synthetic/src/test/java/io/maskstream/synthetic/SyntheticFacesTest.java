package io.maskstream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.maskstream.events.AgeBand;
import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import io.maskstream.datasets.ImageCodec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.EnumMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SyntheticFacesTest {

    private final SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(7));

    @Test
    void theSameSeedGivesByteIdenticalJpegAndPngFiles() {
        SyntheticFaces again = new SyntheticFaces(SyntheticOptions.defaults(7));
        for (int i = 0; i < 3; i++) {
            for (MaskState state : MaskState.values()) {
                assertThat(again.jpeg(again.person(i), state, 2)).isEqualTo(faces.jpeg(faces.person(i), state, 2));
            }
        }
        assertThat(again.png(again.person(4), MaskState.INCORRECT, 5)).isEqualTo(faces.png(faces.person(4), MaskState.INCORRECT, 5));
    }

    @Test
    void aDifferentSeedVariantOrStateGivesDifferentBytes() {
        SyntheticFaces other = new SyntheticFaces(SyntheticOptions.defaults(8));
        byte[] base = faces.jpeg(faces.person(0), MaskState.WORN, 0);
        assertThat(other.jpeg(other.person(0), MaskState.WORN, 0)).isNotEqualTo(base);
        assertThat(faces.jpeg(faces.person(0), MaskState.WORN, 1)).isNotEqualTo(base);
        assertThat(faces.jpeg(faces.person(0), MaskState.NONE, 0)).isNotEqualTo(base);
        assertThat(faces.jpeg(faces.person(1), MaskState.WORN, 0)).isNotEqualTo(base);
    }

    @Test
    void aPersonDoesNotDependOnWhatWasGeneratedBefore() {
        SyntheticPerson p = faces.person(123);
        new SyntheticFaces(SyntheticOptions.defaults(7)).person(5);
        assertThat(new SyntheticFaces(SyntheticOptions.defaults(7)).person(123)).isEqualTo(p);
        assertThat(p.id()).isEqualTo("000124");
    }

    @Test
    void photosHaveTheConfiguredSizeAndDecode() throws Exception {
        byte[] jpeg = faces.jpeg(faces.person(3), MaskState.NONE, 0);
        assertThat(ImageCodec.contentType(jpeg)).contains(ImageCodec.JPEG);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(img.getWidth()).isEqualTo(384);
        assertThat(img.getHeight()).isEqualTo(512);
        // realistic camera-frame sizes, well under any frame limit
        assertThat(jpeg.length).isBetween(8 * 1024, 120 * 1024);

        SyntheticFaces small = new SyntheticFaces(SyntheticOptions.defaults(7).withSize(192, 256));
        BufferedImage s = ImageIO.read(new ByteArrayInputStream(small.png(small.person(0), MaskState.WORN, 0)));
        assertThat(s.getWidth()).isEqualTo(192);
        assertThat(s.getHeight()).isEqualTo(256);
    }

    @Test
    void thePopulationIsBalancedLikeTheCompetitionData() {
        int n = 3000;
        Map<Gender, Integer> genders = new EnumMap<>(Gender.class);
        Map<AgeBand, Integer> ages = new EnumMap<>(AgeBand.class);
        int minAge = 200;
        int maxAge = 0;
        for (int i = 0; i < n; i++) {
            SyntheticPerson p = faces.person(i);
            genders.merge(p.gender(), 1, Integer::sum);
            ages.merge(p.ageBand(), 1, Integer::sum);
            minAge = Math.min(minAge, p.age());
            maxAge = Math.max(maxAge, p.age());
        }
        assertThat(genders.get(Gender.MALE) / (double) n).isCloseTo(0.40, within(0.03));
        assertThat(ages.get(AgeBand.UNDER_30) / (double) n).isCloseTo(0.45, within(0.03));
        assertThat(ages.get(AgeBand.FROM_30_TO_59) / (double) n).isCloseTo(0.45, within(0.03));
        assertThat(ages.get(AgeBand.FROM_60) / (double) n).isCloseTo(0.10, within(0.02));
        assertThat(minAge).isGreaterThanOrEqualTo(18);
        assertThat(maxAge).isLessThanOrEqualTo(80);
    }

    @Test
    void theBalanceIsConfigurable() {
        SyntheticFaces skewed = new SyntheticFaces(SyntheticOptions.defaults(1).withMaleShare(0.9).withAgeShares(0, 0, 1));
        int males = 0;
        for (int i = 0; i < 500; i++) {
            SyntheticPerson p = skewed.person(i);
            assertThat(p.ageBand()).isEqualTo(AgeBand.FROM_60);
            males += p.gender() == Gender.MALE ? 1 : 0;
        }
        assertThat(males / 500.0).isCloseTo(0.9, within(0.05));
    }

    @Test
    void labeledFramesCarryTheTruthOfThePhoto() {
        SyntheticPerson p = faces.person(9);
        LabeledFrame f = faces.labeledFrame("synth", 3, p, MaskState.INCORRECT, 1);
        assertThat(f.getPersonId()).isEqualTo(p.id());
        assertThat(f.getGender()).isEqualTo(p.gender());
        assertThat(f.getAge()).isEqualTo(p.age());
        assertThat(f.getMaskState()).isEqualTo(MaskState.INCORRECT);
        assertThat(f.getFrame().getSequence()).isEqualTo(3);
        assertThat(f.getFrame().getImage().remaining()).isEqualTo(faces.jpeg(p, MaskState.INCORRECT, 1).length);
    }
}
