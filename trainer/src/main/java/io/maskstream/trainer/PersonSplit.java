package io.maskstream.trainer;

import io.maskstream.model.LabelCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A holdout of whole persons, stratified by the person's class without the mask (gender x age band): every
 * photo of a person is on one side, so the holdout never sees a face the model trained on (the seeds' main
 * lesson about leakage), and each stratum gives its share. Seeded: same samples and seed, same split.
 */
public record PersonSplit(List<Sample> train, List<Sample> holdout, Set<String> holdoutPersons) {

    public static PersonSplit of(List<Sample> samples, double fraction, long seed) {
        Map<String, List<Sample>> byPerson = new TreeMap<>();
        samples.forEach(s -> byPerson.computeIfAbsent(s.personId(), k -> new ArrayList<>()).add(s));
        Map<Integer, List<String>> strata = new TreeMap<>();
        byPerson.forEach((person, photos) -> {
            int truth = photos.get(0).truth();
            int stratum = LabelCodec.gender(truth).ordinal() * 3 + LabelCodec.age(truth).ordinal();
            strata.computeIfAbsent(stratum, k -> new ArrayList<>()).add(person);
        });
        Random random = new Random(seed);
        Set<String> held = new TreeSet<>();
        for (List<String> persons : strata.values()) {
            Collections.shuffle(persons, random);
            int n = (int) Math.round(persons.size() * fraction);
            if (n == 0 && persons.size() >= 3) {
                n = 1;
            }
            held.addAll(persons.subList(0, Math.min(n, persons.size())));
        }
        List<Sample> train = samples.stream().filter(s -> !held.contains(s.personId())).collect(Collectors.toList());
        List<Sample> holdout = samples.stream().filter(s -> held.contains(s.personId())).collect(Collectors.toList());
        if (train.isEmpty() || holdout.isEmpty()) {
            throw new IllegalArgumentException("Too few persons (" + byPerson.size() + ") for a person-disjoint holdout");
        }
        return new PersonSplit(train, holdout, held);
    }
}
