package io.maskstream.trainer;

import io.maskstream.evaluation.TopicRange;
import io.maskstream.evaluation.TopicReplay;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.Frame;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pseudo-labels from the stream: confident classifications of unlabeled frames, read from a range of the
 * {@code frames} topic joined with their events on {@code classifications}, added to the training side of a run.
 *
 * <p>Invariants: pseudo-labeled photos join only the training side, after the gate set and the person-disjoint
 * holdout were made from the labeled data, so holdout and gate are exactly what they are without them; no frame
 * whose bytes are a labeled photo, or whose source names a labeled person, is used (see {@link PseudoLabelJoin} for
 * every rule); at most {@code trainer.pseudo.share} x the labeled training photos are used, most probable first, and
 * none below {@code trainer.pseudo.threshold}. Each used frame is its own person for the sampler,
 * {@code pseudo:<camera id>:<sequence>}; balanced sampling and the losses treat it like any training photo.
 */
public final class PseudoLabels {

    private static final Logger LOG = LoggerFactory.getLogger(PseudoLabels.class);
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);
    /** Records read at the head of each partition to find the range's earliest timestamp. */
    private static final int HEAD_RECORDS = 16;

    /** What became of one frame of the range. */
    public enum Fate {
        USED, UNCLASSIFIED, DEAD_LETTER, OTHER_VERSION, AMBIGUOUS, LABELED_PHOTO, LABELED_PERSON, NO_FACE,
        SEVERAL_FACES, DETECTED_FACE, BELOW_THRESHOLD, DUPLICATE, UNDECODABLE, OVER_SHARE
    }

    /** One frame's fate, with what is known about it (for the log and the report). */
    public record Entry(String cameraId, long sequence, int partition, long offset, String source, String modelVersion,
                        Integer classCode, Float probability, Fate fate) {
    }

    /** The configured source and rules ({@code trainer.pseudo.*}). */
    public record Settings(String framesTopic, String classificationsTopic, TopicRange range, double threshold,
                           double share, String modelVersion) {

        public static Settings of(TrainerConfig config) {
            String frames = config.getString(TrainerConfig.PSEUDO_FRAMES_TOPIC).trim();
            frames = frames.isEmpty() ? config.getString(CommonConfig.TOPIC_FRAMES) : frames;
            String events = config.getString(TrainerConfig.PSEUDO_CLASSIFICATIONS_TOPIC).trim();
            events = events.isEmpty() ? config.getString(CommonConfig.TOPIC_CLASSIFICATIONS) : events;
            TopicRange range = TopicRange.parse(frames, blankToNull(config.getString(TrainerConfig.PSEUDO_FROM)),
                    blankToNull(config.getString(TrainerConfig.PSEUDO_TO)), config.pseudoTime(TrainerConfig.PSEUDO_FROM_TIME),
                    config.pseudoTime(TrainerConfig.PSEUDO_TO_TIME));
            return new Settings(frames, events, range, config.getDouble(TrainerConfig.PSEUDO_THRESHOLD),
                    config.getDouble(TrainerConfig.PSEUDO_SHARE), config.getString(TrainerConfig.PSEUDO_MODEL_VERSION).trim());
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }

        /** The most pseudo-labeled photos a run with {@code labeledTrainPhotos} labeled training photos takes. */
        public int cap(int labeledTrainPhotos) {
            return (int) Math.floor(share * labeledTrainPhotos + 1e-9);
        }
    }

    /**
     * What the join gave: the pseudo-labeled samples, how many frames met each fate, every frame's entry, and the
     * cap that applied; {@code description} says it in one line (it goes into the release's training data).
     */
    public record Selection(List<Sample> samples, Map<Fate, Integer> counts, List<Entry> entries, int cap, String range,
                            String rule) {

        public int frames() {
            return entries.size();
        }

        /** One line for the release's training data, e.g. {@code pseudo-labels: 40 of 120 frames of frames [0:0-120]}. */
        public String describe() {
            return "pseudo-labels: " + samples.size() + " of " + frames() + " frames of " + range + " (" + rule + ")";
        }

        /** The fates that happened, e.g. {@code USED 40, BELOW_THRESHOLD 12, LABELED_PHOTO 7}. */
        public String fates() {
            return counts.entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        }

        /** Writes every frame's fate as CSV: camera, sequence, partition, offset, source, version, class, probability, fate. */
        public void writeReport(Path file) throws IOException {
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write("camera_id,sequence,partition,offset,source,model_version,class,probability,fate\n");
                for (Entry e : entries) {
                    w.write(String.join(",", csv(e.cameraId()), String.valueOf(e.sequence()), String.valueOf(e.partition()),
                            String.valueOf(e.offset()), csv(e.source()), csv(e.modelVersion()),
                            e.classCode() == null ? "" : String.valueOf(e.classCode()),
                            e.probability() == null ? "" : String.format(Locale.ROOT, "%.4f", e.probability()),
                            e.fate().name()));
                    w.write('\n');
                }
            }
        }

        private static String csv(String s) {
            if (s == null) {
                return "";
            }
            return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
        }
    }

    private final TrainerConfig config;
    private final Settings settings;

    public PseudoLabels(TrainerConfig config) {
        this.config = config;
        this.settings = Settings.of(config);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Reads the configured frames range and its classifications and selects the pseudo-labeled samples.
     * Classifications (and the frames topic's dead letters) are read from the earliest frame's record timestamp to
     * their topics' end: the processor stamps each event with its frame's record timestamp, so every event of the
     * range's frames lies there.
     *
     * @param labeled            every labeled sample of the run (training, holdout and gate): the leak guard
     * @param labeledTrainPhotos the labeled photos on the training side: the share applies to them
     */
    public Selection select(List<Sample> labeled, int labeledTrainPhotos, ImagePreprocessor preprocessor) {
        Topics topics = new Topics(config);
        Topic<String, Frame> f = topics.frames();
        TopicReplay<String, Frame> frames = new TopicReplay<>(config,
                new Topic<>(settings.framesTopic(), f.keySerde(), f.valueSerde()));
        Map<Integer, long[]> resolved = frames.resolve(settings.range());
        PseudoLabelJoin join = new PseudoLabelJoin(settings, settings.framesTopic(), labeled);
        Long earliest = earliestTimestamp(frames, resolved);
        if (earliest != null) {
            TopicRange after = new TopicRange(settings.classificationsTopic(), Map.of(), null, Map.of(), null,
                    Instant.ofEpochMilli(earliest), null);
            Topic<String, Classification> c = topics.classifications();
            TopicReplay<String, Classification> events = new TopicReplay<>(config,
                    new Topic<>(settings.classificationsTopic(), c.keySerde(), c.valueSerde()));
            events.read(events.resolve(after), READ_TIMEOUT, r -> join.classification(r.value()));
            TopicReplay<byte[], DeadLetter> dead = new TopicReplay<>(config, topics.deadLetters(settings.framesTopic()));
            try {
                dead.read(dead.resolve(new TopicRange(dead.topicName(), Map.of(), null, Map.of(), null,
                        Instant.ofEpochMilli(earliest), null)), READ_TIMEOUT, r -> join.deadLetter(r.value()));
            } catch (IllegalArgumentException e) {
                LOG.info("No dead letters read: {}", e.getMessage());
            }
            frames.read(resolved, READ_TIMEOUT, r -> join.frame(r.partition(), r.offset(), r.value()));
        }
        int cap = settings.cap(labeledTrainPhotos);
        String rule = String.format(Locale.ROOT, "classProbability >= %s, at most %d = %s x %d labeled training photos%s",
                settings.threshold(), cap, settings.share(), labeledTrainPhotos,
                settings.modelVersion().isEmpty() ? "" : ", version " + settings.modelVersion());
        Selection selection = join.finish(cap, preprocessor, config.trainingAgeBands(), describe(resolved), rule);
        LOG.info("{}; fates: {}", selection.describe(), selection.fates());
        return selection;
    }

    /**
     * The training side with the pseudo-labeled photos added: holdout and holdout persons unchanged (the same list
     * and set), so nothing pseudo-labeled is ever early-stopped on or scored.
     */
    public static PersonSplit trainingSide(PersonSplit labeled, List<Sample> pseudo) {
        if (pseudo.isEmpty()) {
            return labeled;
        }
        List<Sample> train = new java.util.ArrayList<>(labeled.train().size() + pseudo.size());
        train.addAll(labeled.train());
        train.addAll(pseudo);
        return new PersonSplit(List.copyOf(train), labeled.holdout(), labeled.holdoutPersons());
    }

    /** The range for reports, e.g. {@code frames [0:0-420] with classifications}. */
    private String describe(Map<Integer, long[]> resolved) {
        return settings.range().describe(resolved) + " with " + settings.classificationsTopic();
    }

    /** The smallest record timestamp among the first records of the range's partitions; null for an empty range. */
    private static Long earliestTimestamp(TopicReplay<String, Frame> frames, Map<Integer, long[]> resolved) {
        Map<Integer, long[]> heads = new HashMap<>();
        resolved.forEach((p, r) -> {
            if (r[0] < r[1]) {
                heads.put(p, new long[] {r[0], Math.min(r[1], r[0] + HEAD_RECORDS)});
            }
        });
        if (heads.isEmpty()) {
            return null;
        }
        Map<Integer, Long> first = new HashMap<>();
        frames.read(heads, READ_TIMEOUT, r -> first.putIfAbsent(r.partition(), r.timestamp()));
        // a partition whose first records hold no value (aborted, markers): events are read from the beginning
        return first.size() < heads.size() ? 0L : first.values().stream().min(Long::compare).orElse(0L);
    }
}
