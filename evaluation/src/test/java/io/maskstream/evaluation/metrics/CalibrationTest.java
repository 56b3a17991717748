package io.maskstream.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.maskstream.model.Prediction;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    private static void answers(Calibration.Accumulator a, int count, double confidence, int right) {
        for (int i = 0; i < count; i++) {
            a.add(confidence, i < right);
        }
    }

    @Test
    void answersRightExactlyAsOftenAsTheyAreSureHaveAnEceOfZero() {
        Calibration.Accumulator a = new Calibration.Accumulator();
        answers(a, 8, 0.5, 4);
        answers(a, 10, 0.7, 7);
        answers(a, 20, 0.9, 18);
        answers(a, 4, 1.0, 4);

        Calibration.Result r = a.result();

        assertThat(r.ece()).isCloseTo(0.0, within(1e-12));
        assertThat(r.samples()).isEqualTo(42);
        assertThat(r.bins()).hasSize(Calibration.BINS);
    }

    @Test
    void aModelAlwaysNinetyPercentSureAndRightSixtyPercentOfTheTimeHasAnEceOfPointThree() {
        Calibration.Accumulator a = new Calibration.Accumulator();
        answers(a, 100, 0.9, 60);

        Calibration.Result r = a.result();

        assertThat(r.ece()).isCloseTo(0.3, within(1e-12));
        Calibration.Bin bin = r.bins().stream().filter(b -> b.count() > 0).findFirst().orElseThrow();
        assertThat(bin.count()).isEqualTo(100);
        assertThat(bin.meanConfidence()).isCloseTo(0.9, within(1e-12));
        assertThat(bin.accuracy()).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void theEceWeighsEachBinsGapByItsShareOfTheAnswers() {
        Calibration.Accumulator a = new Calibration.Accumulator();
        answers(a, 10, 0.95, 5); // gap 0.45
        answers(a, 30, 0.6, 12); // gap 0.2

        assertThat(a.result().ece()).isCloseTo(10 / 40.0 * 0.45 + 30 / 40.0 * 0.2, within(1e-12));
    }

    @Test
    void binsAreClosedAboveSoAConfidenceOnABoundaryGoesDown() {
        Calibration.Accumulator a = new Calibration.Accumulator();
        a.add(0.0, false);
        a.add(1.0 / 15, false);
        a.add(1.0 / 15 + 1e-9, true);
        a.add(1.0, true);

        var bins = a.result().bins();

        assertThat(bins.get(0).count()).isEqualTo(2);
        assertThat(bins.get(1).count()).isEqualTo(1);
        assertThat(bins.get(14).count()).isEqualTo(1);
        assertThat(bins.get(14).upper()).isEqualTo(1.0);
    }

    @Test
    void aConfidenceThatIsNoProbabilityIsRefused() {
        Calibration.Accumulator a = new Calibration.Accumulator();

        assertThatThrownBy(() -> a.add(1.5, true)).hasMessageContaining("probability in [0, 1], got 1.5");
        assertThatThrownBy(() -> a.add(Double.NaN, true)).hasMessageContaining("got NaN");
        assertThat(a.result().ece()).as("nothing added: nothing to miss").isZero();
    }

    @Test
    void eachHeadIsScoredOnItsOwnChosenLabel() {
        float[] mask = {0.8f, 0.1f, 0.1f};
        float[] gender = {0.6f, 0.4f};
        float[] age = {0.5f, 0.3f, 0.2f};
        float[] classes = new float[18];
        for (int c = 0; c < 18; c++) {
            classes[c] = mask[c / 6] * gender[(c / 3) % 2] * age[c % 3];
        }
        Calibration calibration = new Calibration();
        calibration.add(3, new Prediction(mask, gender, age, classes)); // truth: WORN, FEMALE, <30; answer WORN, MALE, <30

        Calibration.Summary s = calibration.summary();

        assertThat(s.mask().ece()).as("right at 0.8").isCloseTo(0.2, within(1e-6));
        assertThat(s.gender().ece()).as("wrong at 0.6").isCloseTo(0.6, within(1e-6));
        assertThat(s.age().ece()).as("right at 0.5").isCloseTo(0.5, within(1e-6));
        assertThat(s.classes().ece()).as("class 0 wrong at 0.24").isCloseTo(0.24, within(1e-6));
        assertThat(s.spread()).as("one pass: no spread to split").isNull();

        Prediction sampled = new Prediction(mask, gender, age, classes)
                .withUncertainty(new io.maskstream.model.Uncertainty("mc-dropout", 8, 0.25f, 0.1f, 0.1f, 0.125f, 0.5f));
        calibration.add(3, sampled); // mask right, class wrong
        calibration.add(12, sampled.withUncertainty(new io.maskstream.model.Uncertainty("mc-dropout", 8, 0.5f, 0.1f, 0.1f,
                0.375f, 0.5f))); // truth NONE: mask wrong, class wrong

        Calibration.Spread spread = calibration.summary().spread();
        assertThat(spread.samples()).isEqualTo(2);
        assertThat(spread.maskWhenRight()).isCloseTo(0.25, within(1e-6));
        assertThat(spread.maskWhenWrong()).isCloseTo(0.5, within(1e-6));
        assertThat(spread.classesWhenRight()).as("no right 18-class answer").isZero();
        assertThat(spread.classesWhenWrong()).isCloseTo(0.25, within(1e-6));
    }
}
