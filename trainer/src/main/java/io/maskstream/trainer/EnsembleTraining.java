package io.maskstream.trainer;

import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.events.ModelMetrics;
import io.maskstream.model.Architectures;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.Classifiers;
import io.maskstream.model.EnsembleVote;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.LabelCodec;
import io.maskstream.model.ModelBundle;
import io.maskstream.model.PreparedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the members of an ensemble ({@code trainer.ensemble.members} ≥ 2) and packs them into one ensemble bundle
 * ({@link ModelBundle#ensemble}), voting by {@code trainer.ensemble.vote}. Members differ as {@code trainer.ensemble.by}
 * says:
 *
 * <ul>
 *   <li>{@code seed}: member k trains with seed {@code trainer.seed + k} on the same person-disjoint split (the same
 *       holdout picks each member's epoch);</li>
 *   <li>{@code architecture}: member k is entry {@code k mod n} of {@code trainer.ensemble.architectures}, seed
 *       {@code trainer.seed + k}, on the same split (its photos prepared for its own input size);</li>
 *   <li>{@code fold}: out-of-fold, as the competition teams did: a person-disjoint holdout is carved off first, the
 *       remaining persons fall into K = members person-disjoint folds (stratified by gender × age band, seeded), and
 *       member k trains on the other folds and early-stops on fold k.</li>
 * </ul>
 *
 * <p>Invariants: the gate set ({@link PromotionGate#split}) never reaches any member's training or early stopping;
 * every member and the ensemble are scored on one common set of photos — the holdout (for {@code fold} a holdout no
 * member trained or early-stopped on; for {@code seed} and {@code architecture} the one that picked every member's
 * epoch, which flatters members and ensemble alike) — and on the gate set, which no member ever saw.
 */
public final class EnsembleTraining {

    private static final Logger LOG = LoggerFactory.getLogger(EnsembleTraining.class);

    /** One member: how it was trained and its figures on the common holdout and the gate set (gate null when empty). */
    public record Member(String version, String architecture, long seed, Integer fold, ModelTrainer.Result result,
                         Confusion holdout, Confusion gate) {
    }

    /**
     * The ensemble bundle, its members, its figures on the common holdout and the gate set (null when empty), the
     * release metrics (holdout), what the common holdout was, and the seconds one epoch of every member took together
     * (what an epoch of the ensemble costs).
     */
    public record Result(ModelBundle bundle, List<Member> members, Confusion holdout, Confusion gate,
                         ModelMetrics metrics, String holdoutDescription, double secondsPerEpoch) {

        /** The member with the best macro-F1 on the common holdout. */
        public Member bestOnHoldout() {
            return members.stream().max(java.util.Comparator.comparingDouble(m -> m.holdout().macroF1())).orElseThrow();
        }

        /** The member with the best macro-F1 on the gate set; empty without one. */
        public java.util.Optional<Member> bestOnGate() {
            return gate == null ? java.util.Optional.empty()
                    : members.stream().max(java.util.Comparator.comparingDouble(m -> m.gate().macroF1()));
        }
    }

    private EnsembleTraining() {
    }

    /**
     * Trains {@code trainer.ensemble.members} members on {@code rest} (the photos outside the gate set) and packs them.
     *
     * @throws IllegalArgumentException when fewer than 2 members are configured or the persons are too few to split
     */
    public static Result train(TrainerConfig config, List<Sample> rest, List<Sample> gateSet, String version, String data)
            throws InvalidModelException {
        int n = config.getInt(TrainerConfig.ENSEMBLE_MEMBERS);
        if (n < 2) {
            throw new IllegalArgumentException(TrainerConfig.ENSEMBLE_MEMBERS + " is " + n + ": an ensemble needs at least 2");
        }
        String by = config.getString(TrainerConfig.ENSEMBLE_BY);
        EnsembleVote vote = EnsembleVote.parse(config.getString(TrainerConfig.ENSEMBLE_VOTE));
        long seed = config.getLong(TrainerConfig.SEED);
        PersonSplit split = PersonSplit.of(rest, config.getDouble(TrainerConfig.HOLDOUT_FRACTION), seed);
        List<Set<String>> folds = by.equals("fold") ? folds(split.train(), n, seed) : List.of();
        List<String> architectures = config.getList(TrainerConfig.ENSEMBLE_ARCHITECTURES);
        boolean tta = config.getBoolean(TrainerConfig.TTA);
        int batch = config.getInt(TrainerConfig.BATCH_SIZE);
        String holdoutDescription = (by.equals("fold") ? "person-disjoint holdout no member trained or early-stopped on: "
                : "person-disjoint holdout that picked every member's epoch: ") + split.holdout().size() + " photos of "
                + split.holdoutPersons().size() + " persons";
        List<Member> members = new ArrayList<>();
        List<ModelBundle> bundles = new ArrayList<>();
        double seconds = 0;
        for (int k = 0; k < n; k++) {
            Map<String, Object> overrides = new HashMap<>();
            String architecture = by.equals("architecture") ? architectures.get(k % architectures.size())
                    : config.getString(TrainerConfig.ARCHITECTURE);
            overrides.put(TrainerConfig.ARCHITECTURE, architecture);
            overrides.put(TrainerConfig.SEED, String.valueOf(seed + (by.equals("fold") ? 0 : k)));
            overrides.put(TrainerConfig.ENSEMBLE_MEMBERS, "1");
            TrainerConfig memberConfig = new TrainerConfig(config.source().with(overrides, "ensemble member " + k));
            PersonSplit memberSplit = split;
            if (by.equals("fold")) {
                Set<String> fold = folds.get(k);
                memberSplit = new PersonSplit(split.train().stream().filter(s -> !fold.contains(s.personId())).toList(),
                        split.train().stream().filter(s -> fold.contains(s.personId())).toList(), fold);
            }
            ImagePreprocessor pre = new ImagePreprocessor(Architectures.defaultInput(architecture), ImageLimits.defaults());
            memberSplit = forInput(memberSplit, pre);
            String memberVersion = version + "-m" + k;
            LOG.info("Ensemble member {} of {} ({}): {}, seed {}{}, {} training photos", k + 1, n, memberVersion,
                    architecture, memberConfig.getLong(TrainerConfig.SEED), by.equals("fold") ? ", fold " + k : "",
                    memberSplit.train().size());
            ModelTrainer.Result r = new ModelTrainer(memberConfig).train(memberSplit, memberVersion, data);
            seconds += r.secondsPerEpoch();
            Confusion[] figures = score(r.bundle(), config, split.holdout(), gateSet, tta, batch);
            members.add(new Member(memberVersion, architecture, memberConfig.getLong(TrainerConfig.SEED),
                    by.equals("fold") ? k : null, r, figures[0], figures[1]));
            bundles.add(r.bundle());
        }
        ModelBundle ensemble = ModelBundle.ensemble(version, vote, bundles);
        Confusion[] figures = score(ensemble, config, split.holdout(), gateSet, tta, batch);
        Map<String, String> summary = new LinkedHashMap<>(ensemble.metadata().trainingSummary());
        summary.put("recipe", "ensemble of " + n + " by " + by + ", " + vote.label() + " vote; members: " + config.recipe());
        summary.put("data", data);
        summary.put("holdout", holdoutDescription);
        summary.put("holdoutMacroF1", String.format(Locale.ROOT, "%.4f", figures[0].macroF1()));
        ensemble = ensemble.withTrainingSummary(summary);
        return new Result(ensemble, members, figures[0], figures[1], figures[0].toModelMetrics(holdoutDescription),
                holdoutDescription, seconds);
    }

    /** The model's confusion on the holdout and on the gate set (null when the gate set is empty), loaded as served. */
    private static Confusion[] score(ModelBundle bundle, TrainerConfig config, List<Sample> holdout, List<Sample> gate,
                                     boolean tta, int batch) throws InvalidModelException {
        try (BatchClassifier c = Classifiers.load(bundle, config.computeSettings())) {
            return new Confusion[] {ModelTrainer.evaluate(c, holdout, tta, batch),
                gate.isEmpty() ? null : ModelTrainer.evaluate(c, gate, tta, batch)};
        }
    }

    /**
     * The persons of {@code samples} in {@code k} person-disjoint folds, stratified like {@link PersonSplit} (gender ×
     * age band) and seeded: within each stratum, shuffled, persons are dealt to the folds in turn.
     *
     * @throws IllegalArgumentException when there are fewer persons than folds
     */
    static List<Set<String>> folds(List<Sample> samples, int k, long seed) {
        Map<Integer, Set<String>> strata = new TreeMap<>();
        for (Sample s : samples) {
            int stratum = LabelCodec.gender(s.truth()).ordinal() * 3 + LabelCodec.age(s.truth()).ordinal();
            strata.computeIfAbsent(stratum, x -> new TreeSet<>()).add(s.personId());
        }
        int persons = strata.values().stream().mapToInt(Set::size).sum();
        if (persons < k) {
            throw new IllegalArgumentException("Too few persons (" + persons + ") for " + k + " person-disjoint folds ("
                    + TrainerConfig.ENSEMBLE_MEMBERS + ")");
        }
        List<Set<String>> folds = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            folds.add(new TreeSet<>());
        }
        Random random = new Random(seed);
        int next = 0;
        for (Set<String> stratum : strata.values()) {
            List<String> order = new ArrayList<>(stratum);
            Collections.shuffle(order, random);
            for (String person : order) {
                folds.get(next++ % k).add(person);
            }
        }
        return folds;
    }

    /** The split with every photo prepared for {@code pre}'s input (as is where it already is). */
    private static PersonSplit forInput(PersonSplit split, ImagePreprocessor pre) {
        return new PersonSplit(forInput(split.train(), pre), forInput(split.holdout(), pre), split.holdoutPersons());
    }

    private static List<Sample> forInput(List<Sample> samples, ImagePreprocessor pre) {
        if (samples.isEmpty() || (samples.get(0).image().width() == pre.spec().width()
                && samples.get(0).image().height() == pre.spec().height())) {
            return samples;
        }
        List<Sample> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            PreparedImage image;
            try {
                image = pre.prepare(s.encoded());
            } catch (ImageRejectedException e) {
                continue; // accepted at one size, refused at another: leave it out of this member
            }
            out.add(new Sample(s.personId(), s.id(), s.truth(), s.ageYears(), image, s.encoded()));
        }
        return out;
    }
}
