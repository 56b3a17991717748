package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The promotion gate: a fixed set of persons no model trains on, and no promotion on noise. */
class PromotionGateTest {

    @Test
    void theGateSetIsTheSamePersonsInEveryDatasetAboutTheConfiguredShare() {
        List<String> persons = IntStream.range(0, 4000).mapToObj(i -> String.format("%06d", i)).toList();
        long in = persons.stream().filter(p -> PromotionGate.inGateSet(p, 0.15)).count();
        assertThat(in / 4000.0).isBetween(0.13, 0.17);
        // a person is on the same side whatever else the dataset holds, and whatever the seed
        assertThat(persons.subList(0, 100).stream().filter(p -> PromotionGate.inGateSet(p, 0.15)).toList())
                .isEqualTo(persons.stream().limit(100).filter(p -> PromotionGate.inGateSet(p, 0.15)).toList());
        assertThat(PromotionGate.inGateSet("000001", 0)).isFalse();
    }

    @Test
    void aCandidateBetterOnlyByNoiseIsNotPromotedWhereAStrictComparisonWouldHavePromotedIt() {
        // Two models of the same quality (each right on 60 % of photos, independently): one of them wins by chance.
        List<PromotionGate.Photo> photos = photos(60, 0.60, 0.60, 3);
        PromotionGate.Decision strict = PromotionGate.decide(photos, 0, 0, 1, 42);
        PromotionGate.Decision gated = PromotionGate.decide(photos, 0, 0.95, 1, 42);
        assertThat(gated.difference()).isEqualTo(strict.difference());
        if (strict.promote()) {
            assertThat(gated.promote()).as("%s", gated).isFalse();
            assertThat(gated.lower()).isLessThanOrEqualTo(0);
        }
        // over many such pairs, the strict rule promotes about half, the gate about none
        int strictPromotions = 0;
        int gatedPromotions = 0;
        for (int seed = 0; seed < 40; seed++) {
            List<PromotionGate.Photo> pair = photos(60, 0.60, 0.60, seed);
            strictPromotions += PromotionGate.decide(pair, 0, 0, 1, seed).promote() ? 1 : 0;
            gatedPromotions += PromotionGate.decide(pair, 0, 0.95, 1, seed).promote() ? 1 : 0;
        }
        assertThat(strictPromotions).as("a strict > promotes on noise").isGreaterThan(10);
        assertThat(gatedPromotions).as("the gate does not").isLessThanOrEqualTo(3);
    }

    @Test
    void aClearlyBetterCandidateIsPromotedWithAnIntervalAboveZero() {
        PromotionGate.Decision d = PromotionGate.decide(photos(60, 0.85, 0.40, 5), 0.01, 0.95, 10, 42);
        assertThat(d.promote()).as("%s", d).isTrue();
        assertThat(d.lower()).isPositive();
        assertThat(d.upper()).isGreaterThan(d.lower());
    }

    @Test
    void tooFewGatePersonsOrAGainBelowTheMarginPromoteNothing() {
        assertThat(PromotionGate.decide(photos(5, 0.9, 0.3, 1), 0, 0.95, 10, 42).promote()).isFalse();
        PromotionGate.Decision small = PromotionGate.decide(photos(60, 0.85, 0.40, 5), 0.9, 0, 10, 42);
        assertThat(small.promote()).isFalse();
        assertThat(small.reason()).contains("margin");
    }

    /** Photos of {@code persons} persons (7 each, the competition's classes), each model right with its own odds. */
    static List<PromotionGate.Photo> photos(int persons, double candidateRight, double activeRight, long seed) {
        Random r = new Random(seed);
        List<PromotionGate.Photo> out = new ArrayList<>();
        for (int p = 0; p < persons; p++) {
            int gender = r.nextInt(2);
            int age = r.nextInt(3);
            for (int photo = 0; photo < 7; photo++) {
                int mask = photo < 5 ? 0 : photo == 5 ? 1 : 2;
                int truth = mask * 6 + gender * 3 + age;
                out.add(new PromotionGate.Photo("p" + p, truth, answer(truth, candidateRight, r), answer(truth, activeRight, r)));
            }
        }
        return out;
    }

    private static int answer(int truth, double right, Random r) {
        return r.nextDouble() < right ? truth : r.nextInt(18);
    }
}
