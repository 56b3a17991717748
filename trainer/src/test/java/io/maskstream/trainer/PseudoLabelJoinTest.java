package io.maskstream.trainer;

import static io.maskstream.trainer.StreamEvents.classification;
import static io.maskstream.trainer.StreamEvents.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.datasets.DatasetLayout;
import io.maskstream.evaluation.TopicRange;
import io.maskstream.events.MaskState;
import io.maskstream.model.AgeBands;
import io.maskstream.model.Architectures;
import io.maskstream.model.ImageLimits;
import io.maskstream.model.ImagePreprocessor;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.synthetic.SyntheticPerson;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import io.maskstream.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The join of frames with their classifications: keys, versions, faces, threshold, share and the leak guard. */
class PseudoLabelJoinTest {

    private static final ImagePreprocessor PRE = new ImagePreprocessor(Architectures.defaultInput("fastnet"),
            ImageLimits.defaults());
    private static final SyntheticFaces FACES = new SyntheticFaces(SyntheticOptions.defaults(99));
    private static final AgeBands BANDS = AgeBands.parse("30,58");

    /** A distinct photo of an unlabeled person (persons 1000 and up are never labeled here). */
    private static byte[] photo(int n) {
        return FACES.jpeg(FACES.person(1000 + n), MaskState.WORN, n);
    }

    private static PseudoLabels.Settings settings(double threshold, String version) {
        return new PseudoLabels.Settings("frames", "classifications", TopicRange.all("frames"), threshold, 1.0, version);
    }

    private static Map<String, PseudoLabels.Fate> fates(PseudoLabels.Selection s) {
        return s.entries().stream().collect(Collectors.toMap(e -> e.cameraId() + "/" + e.sequence() + "@" + e.offset(),
                PseudoLabels.Entry::fate));
    }

    @Test
    void eachFrameGetsTheOneClassificationOfItsCameraAndSequenceAndEveryOtherCaseItsDocumentedFate() {
        PseudoLabelJoin join = new PseudoLabelJoin(settings(0.5, ""), "frames", List.of());
        // the same sequence on two cameras: each frame takes its own camera's answer
        join.classification(classification("cam-a", 0, "v1", 3, 0.9f));
        join.classification(classification("cam-b", 0, "v1", 14, 0.8f));
        join.classification(classification("cam-a", 4, "v1", 5, 0.9f, 0, null));       // no face
        join.classification(classification("cam-a", 5, "v1", 5, 0.9f, 2, null));       // two faces
        join.classification(classification("cam-a", 6, "v1", 5, 0.9f, 1, "gridnet-1")); // a detector's crop
        join.classification(classification("cam-a", 7, "v1", 5, 0.9f));                // two events for one frame
        join.classification(classification("cam-a", 7, "v2", 6, 0.9f));
        join.classification(classification("cam-a", 8, "v1", 7, 0.9f));                // two frames with one key
        join.classification(classification("cam-a", 9, "v2", 8, 0.9f));                // another version, no filter
        join.deadLetter(StreamEvents.deadLetter("frames", 0, 2, null, null));           // by partition and offset
        join.deadLetter(StreamEvents.deadLetter("frames-other", 0, 3, "cam-a", 3L));    // by camera and sequence
        join.deadLetter(StreamEvents.deadLetter("elsewhere", 0, 1, null, null));        // another topic's: no effect
        join.frame(0, 0, frame("cam-a", 0, photo(0), null));
        join.frame(1, 0, frame("cam-b", 0, photo(1), null));
        join.frame(0, 1, frame("cam-a", 1, photo(2), null)); // no event yet
        join.frame(0, 2, frame("cam-a", 2, photo(3), null)); // dead-lettered
        join.frame(0, 3, frame("cam-a", 3, photo(4), null)); // dead-lettered
        join.frame(0, 4, frame("cam-a", 4, photo(5), null));
        join.frame(0, 5, frame("cam-a", 5, photo(6), null));
        join.frame(0, 6, frame("cam-a", 6, photo(7), null));
        join.frame(0, 7, frame("cam-a", 7, photo(8), null));
        join.frame(0, 8, frame("cam-a", 8, photo(9), null));
        join.frame(0, 9, frame("cam-a", 8, photo(10), null));
        join.frame(0, 10, frame("cam-a", 9, photo(11), null));
        PseudoLabels.Selection s = join.finish(100, PRE, BANDS, "frames [0:0-11]", "test");

        assertThat(fates(s)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("cam-a/0@0", PseudoLabels.Fate.USED), Map.entry("cam-b/0@0", PseudoLabels.Fate.USED),
                Map.entry("cam-a/1@1", PseudoLabels.Fate.UNCLASSIFIED), Map.entry("cam-a/2@2", PseudoLabels.Fate.DEAD_LETTER),
                Map.entry("cam-a/3@3", PseudoLabels.Fate.DEAD_LETTER), Map.entry("cam-a/4@4", PseudoLabels.Fate.NO_FACE),
                Map.entry("cam-a/5@5", PseudoLabels.Fate.SEVERAL_FACES), Map.entry("cam-a/6@6", PseudoLabels.Fate.DETECTED_FACE),
                Map.entry("cam-a/7@7", PseudoLabels.Fate.AMBIGUOUS), Map.entry("cam-a/8@8", PseudoLabels.Fate.AMBIGUOUS),
                Map.entry("cam-a/8@9", PseudoLabels.Fate.AMBIGUOUS), Map.entry("cam-a/9@10", PseudoLabels.Fate.USED)));
        Map<String, Sample> used = s.samples().stream().collect(Collectors.toMap(Sample::personId, x -> x));
        assertThat(used.keySet()).containsExactlyInAnyOrder("pseudo:cam-a:0", "pseudo:cam-b:0", "pseudo:cam-a:9");
        assertThat(used.get("pseudo:cam-a:0").truth()).isEqualTo(3);
        assertThat(used.get("pseudo:cam-b:0").truth()).isEqualTo(14);
        assertThat(used.get("pseudo:cam-a:9").truth()).isEqualTo(8);
        assertThat(used.get("pseudo:cam-b:0").id()).isEqualTo("frames@1:0");
        assertThat(used.get("pseudo:cam-b:0").encoded()).isEqualTo(photo(1));
        // the age band the event named is the band trained on (14 = none, male, 60+; 3 = worn, female, <30)
        assertThat(used.get("pseudo:cam-b:0").ageLabel(BANDS)).isEqualTo(2);
        assertThat(used.get("pseudo:cam-a:0").trainClass(BANDS)).isEqualTo(3);
        assertThat(s.counts().values().stream().mapToInt(Integer::intValue).sum()).as("one fate per frame").isEqualTo(12);
    }

    @Test
    void withAModelVersionOnlyThatVersionsEventsAreUsedAndTheOthersAreCountedAsOtherVersion() {
        PseudoLabelJoin join = new PseudoLabelJoin(settings(0.5, "v2"), "frames", List.of());
        join.classification(classification("cam", 0, "v1", 3, 0.9f));
        join.classification(classification("cam", 1, "v1", 3, 0.9f));
        join.classification(classification("cam", 1, "v2", 4, 0.9f)); // the one v2 event of frame 1 decides
        join.frame(0, 0, frame("cam", 0, photo(0), null));
        join.frame(0, 1, frame("cam", 1, photo(1), null));
        PseudoLabels.Selection s = join.finish(100, PRE, BANDS, "r", "t");
        assertThat(fates(s)).containsExactlyInAnyOrderEntriesOf(Map.of("cam/0@0", PseudoLabels.Fate.OTHER_VERSION,
                "cam/1@1", PseudoLabels.Fate.USED));
        assertThat(s.samples()).singleElement().extracting(Sample::truth).isEqualTo(4);
    }

    @Test
    void onlyFramesAtOrAboveTheThresholdAreUsedAndAtMostTheShareTheMostProbableFirst() {
        PseudoLabelJoin join = new PseudoLabelJoin(settings(0.75, ""), "frames", List.of());
        float[] p = {0.5f, 0.74f, 0.75f, 0.95f, 0.99f, 0.85f, 0.9f};
        for (int i = 0; i < p.length; i++) {
            join.classification(classification("cam", i, "v1", 0, p[i]));
            join.frame(0, i, frame("cam", i, photo(i), null));
        }
        PseudoLabels.Selection s = join.finish(3, PRE, BANDS, "r", "t");
        assertThat(s.samples()).extracting(Sample::personId).containsExactly("pseudo:cam:4", "pseudo:cam:3", "pseudo:cam:6");
        assertThat(fates(s)).containsExactlyInAnyOrderEntriesOf(Map.of("cam/0@0", PseudoLabels.Fate.BELOW_THRESHOLD,
                "cam/1@1", PseudoLabels.Fate.BELOW_THRESHOLD, "cam/2@2", PseudoLabels.Fate.OVER_SHARE,
                "cam/3@3", PseudoLabels.Fate.USED, "cam/4@4", PseudoLabels.Fate.USED, "cam/5@5", PseudoLabels.Fate.OVER_SHARE,
                "cam/6@6", PseudoLabels.Fate.USED));
        // the threshold itself passes: with room for all, 0.75 is used and 0.74 is not
        PseudoLabelJoin roomy = new PseudoLabelJoin(settings(0.75, ""), "frames", List.of());
        for (int i = 0; i < p.length; i++) {
            roomy.classification(classification("cam", i, "v1", 0, p[i]));
            roomy.frame(0, i, frame("cam", i, photo(i), null));
        }
        assertThat(roomy.finish(100, PRE, BANDS, "r", "t").samples()).hasSize(5);
        assertThat(new PseudoLabels.Settings("f", "c", TopicRange.all("f"), 0.9, 0.5, "").cap(85)).isEqualTo(42);
        assertThat(new PseudoLabels.Settings("f", "c", TopicRange.all("f"), 0.9, 0.2, "").cap(10)).isEqualTo(2);
    }

    @Test
    void framesThatAreLabeledPhotosOrNameALabeledPersonAreNeverUsedAndRepeatsOnlyOnce() {
        List<Sample> labeled = SyntheticSamples.of(3, 5, PRE);
        Sample holdoutPhoto = labeled.get(9); // person 2's third photo: which side it is on does not matter
        SyntheticPerson someone = new SyntheticFaces(SyntheticOptions.defaults(5)).person(2);
        String folder = DatasetLayout.folderName(someone.id(), someone.gender(), "Asian", someone.age());
        PseudoLabelJoin join = new PseudoLabelJoin(settings(0.5, ""), "frames", labeled);
        for (int i = 0; i < 6; i++) {
            join.classification(classification("cam", i, "v1", 0, 0.99f));
        }
        join.frame(0, 0, frame("cam", 0, holdoutPhoto.encoded(), null));                         // same bytes
        join.frame(0, 1, frame("cam", 1, photo(1), "train/images/" + folder + "/mask1.jpg"));   // names the person
        join.frame(0, 2, frame("cam", 2, photo(2), labeled.get(0).id()));                       // a labeled path
        join.frame(0, 3, frame("cam", 3, photo(3), "eval/images/0a1b.jpg"));                    // unlabeled
        join.frame(0, 4, frame("cam", 4, photo(3), null));                                      // a repeat of 3
        join.frame(0, 5, frame("cam", 5, photo(5), "train/images/999999_male_Asian_40/mask1.jpg")); // not labeled
        PseudoLabels.Selection s = join.finish(100, PRE, BANDS, "r", "t");
        assertThat(fates(s)).containsExactlyInAnyOrderEntriesOf(Map.of("cam/0@0", PseudoLabels.Fate.LABELED_PHOTO,
                "cam/1@1", PseudoLabels.Fate.LABELED_PERSON, "cam/2@2", PseudoLabels.Fate.LABELED_PERSON,
                "cam/3@3", PseudoLabels.Fate.USED, "cam/4@4", PseudoLabels.Fate.DUPLICATE, "cam/5@5", PseudoLabels.Fate.USED));
        assertThat(s.fates()).isEqualTo("USED 2, LABELED_PHOTO 1, LABELED_PERSON 2, DUPLICATE 1");
    }

    @Test
    void aBadPseudoLabelSettingIsRefusedNamingItsKey() {
        for (var bad : List.of(Map.entry(TrainerConfig.PSEUDO_FROM_TIME, "yesterday"),
                Map.entry(TrainerConfig.PSEUDO_FROM, "0:x"), Map.entry(TrainerConfig.PSEUDO_TO, "1:2:3"),
                Map.entry(TrainerConfig.PSEUDO_THRESHOLD, "1.5"), Map.entry(TrainerConfig.PSEUDO_SHARE, "-0.1"))) {
            Map<String, String> m = new HashMap<>(Map.of(bad.getKey(), bad.getValue()));
            assertThatThrownBy(() -> new TrainerConfig(ConfigSource.of(m))).as(bad.toString())
                    .isInstanceOf(ConfigException.class).hasMessageContaining(bad.getKey());
        }
        TrainerConfig ok = new TrainerConfig(ConfigSource.of(Map.of(TrainerConfig.PSEUDO_FROM, "0:5,1:7",
                TrainerConfig.PSEUDO_TO_TIME, "2026-12-01T18:00:00Z", "topic.frames", "cams")));
        PseudoLabels.Settings s = PseudoLabels.Settings.of(ok);
        assertThat(s.framesTopic()).isEqualTo("cams");
        assertThat(s.classificationsTopic()).isEqualTo("classifications");
        assertThat(s.range().fromOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 5L, 1, 7L));
        assertThat(s.range().toTime()).hasToString("2026-12-01T18:00:00Z");
        assertThat(ok.getBoolean(TrainerConfig.PSEUDO_ENABLED)).as("off by default").isFalse();
        // the CLI form goes through the same keys: a bad time is refused by picocli, two comparisons by the command
        for (String[] args : List.of(new String[] {"--dataset", "nowhere", "--pseudo-from-time", "yesterday"},
                new String[] {"--dataset", "nowhere", "--compare", "--compare-pseudo"})) {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream stderr = System.err;
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                assertThat(new picocli.CommandLine(new io.maskstream.trainer.cli.TrainCommand()).execute(args))
                        .as(String.join(" ", args)).isEqualTo(2);
            } finally {
                System.setErr(stderr);
            }
            assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
                    .containsAnyOf("--pseudo-from-time", "--compare-pseudo");
        }
    }
}
