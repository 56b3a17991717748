package io.maskstream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoImage;
import io.maskstream.datasets.CocoScenes;
import io.maskstream.datasets.SceneFace;
import io.maskstream.events.FaceBox;
import io.maskstream.events.MaskState;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticScenesTest {

    /** Small frames keep the statistics tests fast; geometry scales with the frame. */
    private static final SceneOptions SMALL = SceneOptions.defaults().withSize(320, 240).withFramesPerSequence(6);

    private final SyntheticScenes scenes = new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(11)), SMALL);

    @TempDir
    Path dir;

    @Test
    void theSameSeedSequenceAndFrameGiveByteIdenticalScenesWhateverWasRenderedBeforeOrInParallel() throws Exception {
        Scene first = scenes.scene(3, 4);
        SyntheticScenes again = new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(11)), SMALL);
        again.scene(7, 1);
        Scene other = CompletableFuture.supplyAsync(() -> again.scene(3, 4)).get();
        assertThat(other.jpeg()).isEqualTo(first.jpeg());
        assertThat(other.faces()).isEqualTo(first.faces());
        assertThat(other.sequenceId()).isEqualTo("seq0003");
        assertThat(other.fileName()).isEqualTo("seq0003_0004.jpg");
        assertThat(scenes.scene(3, 5).jpeg()).isNotEqualTo(first.jpeg());
        assertThat(new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(12)), SMALL).scene(3, 4).jpeg())
                .isNotEqualTo(first.jpeg());
    }

    @Test
    void aSceneBecomesALabeledFrameWithItsFacesKeyedByItsSequence() {
        Scene s = scenes.scene(2, 1);
        io.maskstream.datasets.Capture c = scenes.capture(2, 1, java.time.Instant.EPOCH);
        io.maskstream.events.LabeledFrame f = io.maskstream.datasets.Frames.labeledFrame("cam", 0, c);
        assertThat(f.getScene()).isTrue();
        assertThat(f.getPersonId()).isEqualTo("seq0002");
        assertThat(f.getSourcePath()).isEqualTo("images/seq0002_0001.jpg");
        assertThat(f.getFaces()).hasSameSizeAs(s.faces());
        assertThat(f.getFrame().getImage().array()).isEqualTo(s.jpeg());
    }

    @Test
    void framesHaveTheConfiguredSizeAndDecode() throws Exception {
        Scene s = new SyntheticScenes(scenes.faces(), SMALL.withSize(200, 150)).scene(0, 0);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(s.jpeg()));
        assertThat(img.getWidth()).isEqualTo(200);
        assertThat(img.getHeight()).isEqualTo(150);
        assertThat(s.width()).isEqualTo(200);
        assertThat(s.height()).isEqualTo(150);
    }

    @Test
    void everyBoxLiesWithinTheFrameFacesAtTheEdgesAreClippedAndSizesSpanTheConfiguredRange() {
        int w = SMALL.width();
        int h = SMALL.height();
        int atEdge = 0;
        double smallest = 1;
        double largest = 0;
        for (int seq = 0; seq < 40; seq++) {
            for (int f = 0; f < SMALL.framesPerSequence(); f += 2) {
                for (SceneFace face : scenes.render(seq, f).faces()) {
                    FaceBox b = face.box();
                    assertThat(b.getX()).isGreaterThanOrEqualTo(0f);
                    assertThat(b.getY()).isGreaterThanOrEqualTo(0f);
                    assertThat((double) b.getX() + b.getWidth()).isLessThanOrEqualTo(w);
                    assertThat((double) b.getY() + b.getHeight()).isLessThanOrEqualTo(h);
                    assertThat(b.getWidth()).isGreaterThanOrEqualTo((float) SyntheticScenes.MIN_BOX_PIXELS);
                    assertThat(b.getHeight()).isGreaterThanOrEqualTo((float) SyntheticScenes.MIN_BOX_PIXELS);
                    boolean edge = b.getX() == 0 || b.getY() == 0 || b.getX() + b.getWidth() >= w - 0.01
                            || b.getY() + b.getHeight() >= h - 0.01;
                    if (edge) {
                        atEdge++;
                    } else {
                        smallest = Math.min(smallest, b.getWidth() / w);
                        largest = Math.max(largest, b.getWidth() / w);
                    }
                }
            }
        }
        assertThat(atEdge).as("faces partly out of frame, clipped").isGreaterThan(5);
        assertThat(smallest).isBetween(0.05, 0.10);
        assertThat(largest).isBetween(0.22, 0.33);
    }

    @Test
    void everyMaskStateIsDrawnForAboutAThirdOfThePeopleAndSomeSequencesAndFramesAreEmpty() {
        Map<String, MaskState> people = new HashMap<>();
        int emptySequences = 0;
        int emptyFramesWithPeople = 0;
        for (int seq = 0; seq < 80; seq++) {
            int faces = 0;
            int empty = 0;
            for (int f = 0; f < SMALL.framesPerSequence(); f++) {
                List<SceneFace> found = scenes.render(seq, f).faces();
                for (SceneFace face : found) {
                    MaskState before = people.put(seq + "/" + face.personId(), face.maskState());
                    assertThat(before).as("one mask state per person per sequence").isIn(null, face.maskState());
                }
                faces += found.size();
                empty += found.isEmpty() ? 1 : 0;
            }
            if (faces == 0) {
                emptySequences++;
            } else {
                emptyFramesWithPeople += empty;
            }
        }
        Map<MaskState, Integer> byState = new EnumMap<>(MaskState.class);
        people.values().forEach(s -> byState.merge(s, 1, Integer::sum));
        for (MaskState s : MaskState.values()) {
            assertThat(byState.getOrDefault(s, 0) / (double) people.size()).as(s + " share of " + people.size() + " people")
                    .isBetween(0.22, 0.45);
        }
        assertThat(emptySequences).isGreaterThan(0);
        assertThat(emptyFramesWithPeople).as("frames before people walk in or after they leave").isGreaterThan(0);
    }

    @Test
    void aPersonMovesSmoothlyAcrossTheFramesOfASequence() {
        SceneOptions longer = SMALL.withFramesPerSequence(20);
        SyntheticScenes s = new SyntheticScenes(scenes.faces(), longer);
        int w = longer.width();
        int tracked = 0;
        double fastest = 0;
        for (int seq = 0; seq < 4; seq++) {
            Map<String, List<double[]>> centres = new HashMap<>();
            for (int f = 0; f < longer.framesPerSequence(); f++) {
                for (SceneFace face : s.render(seq, f).faces()) {
                    FaceBox b = face.box();
                    boolean whole = b.getX() > 0 && b.getY() > 0 && b.getX() + b.getWidth() < w - 0.01
                            && b.getY() + b.getHeight() < longer.height() - 0.01;
                    List<double[]> track = centres.computeIfAbsent(face.personId(), k -> new ArrayList<>());
                    track.add(whole ? new double[] {f, b.getX() + b.getWidth() / 2, b.getY() + b.getHeight() / 2} : null);
                }
            }
            for (List<double[]> track : centres.values()) {
                for (int i = 2; i < track.size(); i++) {
                    double[] a = track.get(i - 2);
                    double[] b = track.get(i - 1);
                    double[] c = track.get(i);
                    if (a == null || b == null || c == null || c[0] - a[0] != 2) {
                        continue; // clipped at an edge, hidden, or not consecutive frames
                    }
                    tracked++;
                    double step = Math.hypot(c[1] - b[1], c[2] - b[2]);
                    fastest = Math.max(fastest, step);
                    assertThat(step).as("one frame's step").isLessThan(0.2 * w);
                    double bendX = c[1] - 2 * b[1] + a[1];
                    double bendY = c[2] - 2 * b[2] + a[2];
                    assertThat(Math.hypot(bendX, bendY)).as("change of velocity between frames").isLessThan(0.02 * w);
                }
            }
        }
        assertThat(tracked).isGreaterThan(10);
        assertThat(fastest).as("people do walk").isGreaterThan(2);
    }

    @Test
    void aCocoFolderWrittenAndReadBackHoldsTheSameImagesAndFacesWhateverTheThreads() throws Exception {
        SyntheticScenes tiny = new SyntheticScenes(scenes.faces(), SMALL.withSize(160, 120).withFramesPerSequence(4));
        SyntheticScenes.Summary summary = tiny.writeCoco(dir.resolve("a"), 3, 2);
        tiny.writeCoco(dir.resolve("b"), 3, 1);
        assertThat(summary.frames()).isEqualTo(12);

        CocoScenes read = CocoDataset.read(dir.resolve("a"));
        assertThat(read.images()).hasSize(12);
        assertThat(read.sequences()).isEqualTo(3);
        assertThat(read.clipped()).as("the generator's boxes are already inside the image").isZero();
        assertThat(read.faces()).isEqualTo(summary.faces());
        for (CocoImage image : read.images()) {
            int seq = Integer.parseInt(image.sequenceId().substring(3));
            int frame = Integer.parseInt(image.fileName().substring(8, 12));
            Scene expected = tiny.scene(seq, frame);
            assertThat(image.fileName()).isEqualTo(expected.fileName());
            assertThat(image.faces()).isEqualTo(expected.faces());
            assertThat(Files.readAllBytes(read.file(image))).isEqualTo(expected.jpeg());
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(image.relativePath()))).isEqualTo(expected.jpeg());
        }
        assertThat(Files.readAllBytes(dir.resolve("b/annotations.json")))
                .isEqualTo(Files.readAllBytes(dir.resolve("a/annotations.json")));
    }
}
