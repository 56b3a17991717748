package io.maskstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.model.Architectures;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.LabelCodec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PersonSplitTest {

    static List<Sample> samples;

    @BeforeAll
    static void draw() {
        samples = SyntheticSamples.of(120, 5, new ImagePreprocessor(Architectures.defaultInput("fastnet"),
                ImageLimits.defaults()));
    }

    @Test
    void ensembleFoldsArePersonDisjointCoverEveryPersonAndAreSeeded() {
        List<Set<String>> folds = EnsembleTraining.folds(samples, 3, 7);
        Set<String> persons = samples.stream().map(Sample::personId).collect(Collectors.toSet());
        assertThat(folds).hasSize(3);
        assertThat(folds.stream().mapToInt(Set::size).sum()).as("no person in two folds").isEqualTo(persons.size());
        assertThat(folds.stream().flatMap(Set::stream).collect(Collectors.toSet())).isEqualTo(persons);
        assertThat(folds).allSatisfy(f -> assertThat(f.size()).isBetween(persons.size() / 3 - 6, persons.size() / 3 + 6));
        assertThat(EnsembleTraining.folds(samples, 3, 7)).isEqualTo(folds);
        assertThat(EnsembleTraining.folds(samples, 3, 8)).isNotEqualTo(folds);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EnsembleTraining.folds(samples.subList(0, 7), 2, 1))
                .hasMessageContaining("Too few persons (1) for 2 person-disjoint folds");
    }

    @Test
    void noPersonHasPhotosOnBothSides() {
        PersonSplit split = PersonSplit.of(samples, 0.2, 1);
        Set<String> train = split.train().stream().map(Sample::personId).collect(Collectors.toSet());
        Set<String> holdout = split.holdout().stream().map(Sample::personId).collect(Collectors.toSet());
        assertThat(train).doesNotContainAnyElementsOf(holdout);
        assertThat(holdout).isEqualTo(split.holdoutPersons());
        assertThat(split.train().size() + split.holdout().size()).isEqualTo(samples.size());
        // every held-out person keeps all 7 photos together
        split.holdout().stream().collect(Collectors.groupingBy(Sample::personId, Collectors.counting()))
                .values().forEach(n -> assertThat(n).isEqualTo(7L));
    }

    @Test
    void eachGenderAndAgeStratumGivesItsShare() {
        PersonSplit split = PersonSplit.of(samples, 0.25, 2);
        Function<Sample, Integer> stratum = s -> LabelCodec.gender(s.truth()).ordinal() * 3 + LabelCodec.age(s.truth()).ordinal();
        Map<Integer, Long> all = samples.stream().collect(Collectors.groupingBy(stratum, Collectors.counting()));
        Map<Integer, Long> held = split.holdout().stream().collect(Collectors.groupingBy(stratum, Collectors.counting()));
        all.forEach((s, n) -> {
            if (n >= 4 * 7) {
                assertThat(held.getOrDefault(s, 0L) / (double) n).as("stratum %d", s).isBetween(0.1, 0.4);
            }
        });
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        assertThat(PersonSplit.of(samples, 0.2, 9).holdoutPersons()).isEqualTo(PersonSplit.of(samples, 0.2, 9).holdoutPersons());
        assertThat(PersonSplit.of(samples, 0.2, 9).holdoutPersons()).isNotEqualTo(PersonSplit.of(samples, 0.2, 10).holdoutPersons());
    }
}
