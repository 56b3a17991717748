package io.maskstream.trainer;

import io.maskstream.datasets.DatasetLayout;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.Frame;
import io.maskstream.model.AgeBands;
import io.maskstream.model.AgeLabel;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.LabelCodec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The join of recorded frames with their classifications into pseudo-labeled training photos, with no Kafka in it
 * (so every rule is unit-tested): first every classification and dead letter of the range is offered, then every
 * frame; {@link #finish} gives each frame exactly one {@link PseudoLabels.Fate}.
 *
 * <p>Rules, in the order they are applied to a frame (the first that applies is its fate):
 * <ol>
 *   <li>A frame is keyed by camera id + frame sequence, as its classification is. No classification with its key:
 *       {@code DEAD_LETTER} when a dead letter of the frames topic names its partition and offset (or its camera and
 *       sequence), else {@code UNCLASSIFIED} (not processed yet, or its event lies outside what was read).</li>
 *   <li>With {@code trainer.pseudo.model.version} set, classifications of other versions are dropped first; if one
 *       was there and none is left: {@code OTHER_VERSION}.</li>
 *   <li>Exactly one classification per frame: a key that two frames of the range share (a camera that restarted its
 *       numbering) or that two classifications carry: {@code AMBIGUOUS}, every frame of that key.</li>
 *   <li>Leak guard: a frame whose bytes are a labeled photo's (SHA-256 against every labeled sample, training,
 *       holdout and gate alike): {@code LABELED_PHOTO}; whose {@code source} names a labeled person (a path segment
 *       that is a competition person folder of a labeled person id, or a labeled sample's own path):
 *       {@code LABELED_PERSON}.</li>
 *   <li>Whole-frame events only: no face {@code NO_FACE}, more than one {@code SEVERAL_FACES}, one face found by a
 *       detector (its verdict is about a crop, not the frame) {@code DETECTED_FACE}.</li>
 *   <li>{@code classProbability} below the threshold: {@code BELOW_THRESHOLD}.</li>
 *   <li>The same bytes as an earlier candidate: {@code DUPLICATE}.</li>
 *   <li>Candidates are taken most probable first (ties: camera id, then sequence) until the cap; one whose image the
 *       preprocessing refuses is {@code UNDECODABLE}, the rest past the cap {@code OVER_SHARE}; the taken ones
 *       {@code USED}.</li>
 * </ol>
 * Only frames that may still become candidates keep their bytes, so memory is bounded by them, not by the range.
 */
final class PseudoLabelJoin {

    private final PseudoLabels.Settings settings;
    private final String framesTopic;
    private final Set<String> labeledHashes = new HashSet<>();
    private final Set<String> labeledPersons = new HashSet<>();
    private final Set<String> labeledPaths = new HashSet<>();
    private final Map<String, List<Classification>> classifications = new HashMap<>();
    private final Set<String> deadLetters = new HashSet<>();
    private final Map<String, Integer> framesPerKey = new HashMap<>();
    private final List<PseudoLabels.Entry> entries = new ArrayList<>();
    private final Map<Integer, byte[]> candidateBytes = new HashMap<>();
    private final Set<String> candidateHashes = new HashSet<>();

    /**
     * @param labeled every labeled sample of the run (training, holdout and gate): none of their photos, and no frame
     *                naming one of their persons, is ever used
     */
    PseudoLabelJoin(PseudoLabels.Settings settings, String framesTopic, List<Sample> labeled) {
        this.settings = settings;
        this.framesTopic = framesTopic;
        for (Sample s : labeled) {
            labeledHashes.add(sha256(s.encoded()));
            labeledPersons.add(s.personId());
            int at = s.id().indexOf('@'); // a topic sample's id is sourcePath@partition:offset
            labeledPaths.add(at < 0 ? s.id() : s.id().substring(0, at));
        }
    }

    static String key(String cameraId, long sequence) {
        return cameraId + "/" + sequence;
    }

    void classification(Classification c) {
        classifications.computeIfAbsent(key(c.getCameraId(), c.getFrameSequence()), k -> new ArrayList<>()).add(c);
    }

    void deadLetter(DeadLetter d) {
        if (d.getOriginalTopic().equals(framesTopic) && d.getOriginalOffset() >= 0) {
            deadLetters.add(d.getOriginalPartition() + ":" + d.getOriginalOffset());
        }
        if (d.getCameraId() != null && d.getFrameSequence() != null) {
            deadLetters.add(key(d.getCameraId(), d.getFrameSequence()));
        }
    }

    void frame(int partition, long offset, Frame f) {
        String key = key(f.getCameraId(), f.getSequence());
        framesPerKey.merge(key, 1, Integer::sum);
        String source = f.getSource();
        List<Classification> all = classifications.getOrDefault(key, List.of());
        if (all.isEmpty()) {
            boolean dead = deadLetters.contains(partition + ":" + offset) || deadLetters.contains(key);
            add(partition, f, offset, null, dead ? PseudoLabels.Fate.DEAD_LETTER : PseudoLabels.Fate.UNCLASSIFIED);
            return;
        }
        List<Classification> wanted = settings.modelVersion().isEmpty() ? all
                : all.stream().filter(c -> c.getModelVersion().equals(settings.modelVersion())).toList();
        if (wanted.isEmpty()) {
            add(partition, f, offset, all.get(0), PseudoLabels.Fate.OTHER_VERSION);
            return;
        }
        Classification c = wanted.get(0);
        if (wanted.size() > 1) {
            add(partition, f, offset, c, PseudoLabels.Fate.AMBIGUOUS);
            return;
        }
        byte[] bytes = new byte[f.getImage().remaining()];
        f.getImage().duplicate().get(bytes);
        String hash = sha256(bytes);
        if (labeledHashes.contains(hash)) {
            add(partition, f, offset, c, PseudoLabels.Fate.LABELED_PHOTO);
        } else if (namesLabeledPerson(source)) {
            add(partition, f, offset, c, PseudoLabels.Fate.LABELED_PERSON);
        } else if (c.getFaces().isEmpty() || c.getClassCode() == null || c.getClassProbability() == null) {
            add(partition, f, offset, c, PseudoLabels.Fate.NO_FACE);
        } else if (c.getFaces().size() > 1) {
            add(partition, f, offset, c, PseudoLabels.Fate.SEVERAL_FACES);
        } else if (c.getDetectorVersion() != null) {
            add(partition, f, offset, c, PseudoLabels.Fate.DETECTED_FACE);
        } else if (c.getClassProbability() < settings.threshold()) {
            add(partition, f, offset, c, PseudoLabels.Fate.BELOW_THRESHOLD);
        } else if (!candidateHashes.add(hash)) {
            add(partition, f, offset, c, PseudoLabels.Fate.DUPLICATE);
        } else {
            candidateBytes.put(entries.size(), bytes);
            add(partition, f, offset, c, PseudoLabels.Fate.USED); // provisional: finish() decides
        }
    }

    private boolean namesLabeledPerson(String source) {
        if (source == null || source.isBlank()) {
            return false;
        }
        if (labeledPaths.contains(source)) {
            return true;
        }
        for (String segment : source.split("[/\\\\]")) {
            var folder = DatasetLayout.parseFolderName(segment);
            if (folder.isPresent() && labeledPersons.contains(folder.get().id())) {
                return true;
            }
        }
        return false;
    }

    private void add(int partition, Frame f, long offset, Classification c, PseudoLabels.Fate fate) {
        entries.add(new PseudoLabels.Entry(f.getCameraId(), f.getSequence(), partition, offset, f.getSource(),
                c == null ? null : c.getModelVersion(), c == null ? null : c.getClassCode(),
                c == null ? null : c.getClassProbability(), fate));
    }

    /**
     * Every frame's final fate and the pseudo-labeled samples: at most {@code cap}, most probable first.
     *
     * @param bands the training run's age bands: a pseudo sample's age in years is its band's first year under them
     *              (the event says a band, not an age), so it trains the band the event named
     */
    PseudoLabels.Selection finish(int cap, ImagePreprocessor preprocessor, AgeBands bands, String range, String rule) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            PseudoLabels.Entry e = entries.get(i);
            if (framesPerKey.get(key(e.cameraId(), e.sequence())) > 1 && e.fate() != PseudoLabels.Fate.AMBIGUOUS) {
                entries.set(i, with(e, PseudoLabels.Fate.AMBIGUOUS));
                candidateBytes.remove(i);
            } else if (e.fate() == PseudoLabels.Fate.USED) {
                candidates.add(i);
            }
        }
        candidates.sort(Comparator.<Integer>comparingDouble(i -> -entries.get(i).probability())
                .thenComparing(i -> entries.get(i).cameraId()).thenComparingLong(i -> entries.get(i).sequence()));
        List<Sample> samples = new ArrayList<>();
        for (int i : candidates) {
            PseudoLabels.Entry e = entries.get(i);
            if (samples.size() >= cap) {
                entries.set(i, with(e, PseudoLabels.Fate.OVER_SHARE));
                continue;
            }
            byte[] bytes = candidateBytes.get(i);
            try {
                samples.add(new Sample("pseudo:" + e.cameraId() + ":" + e.sequence(),
                        framesTopic + "@" + e.partition() + ":" + e.offset(), e.classCode(),
                        ageOf(LabelCodec.age(e.classCode()), bands), preprocessor.prepare(bytes), bytes));
            } catch (ImageRejectedException ex) {
                entries.set(i, with(e, PseudoLabels.Fate.UNDECODABLE));
            }
        }
        candidateBytes.clear();
        Map<PseudoLabels.Fate, Integer> counts = new EnumMap<>(PseudoLabels.Fate.class);
        for (PseudoLabels.Fate fate : PseudoLabels.Fate.values()) {
            counts.put(fate, 0);
        }
        entries.forEach(e -> counts.merge(e.fate(), 1, Integer::sum));
        return new PseudoLabels.Selection(List.copyOf(samples), counts, List.copyOf(entries), cap, range, rule);
    }

    private static PseudoLabels.Entry with(PseudoLabels.Entry e, PseudoLabels.Fate fate) {
        return new PseudoLabels.Entry(e.cameraId(), e.sequence(), e.partition(), e.offset(), e.source(), e.modelVersion(),
                e.classCode(), e.probability(), fate);
    }

    static int ageOf(AgeLabel band, AgeBands bands) {
        return switch (band) {
            case UNDER_30 -> 0;
            case FROM_30_TO_59 -> bands.middleFrom();
            case FROM_60 -> bands.oldFrom();
        };
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
