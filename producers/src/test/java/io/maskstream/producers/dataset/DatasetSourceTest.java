package io.maskstream.producers.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoScenes;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetException;
import io.maskstream.datasets.DatasetProblem;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.datasets.LayoutBuilder;
import io.maskstream.synthetic.SceneOptions;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.synthetic.SyntheticScenes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset folder as a camera source. */
class DatasetSourceTest {

    @TempDir
    Path dir;

    @Test
    void anUnreadableImageIsReportedAndSkippedByTheSourceOrStopsItWhenFailFast() throws Exception {
        Path root = new LayoutBuilder(dir)
                .fullPerson("000001_female_Asian_45", "jpg")
                .fullPerson("000002_male_Asian_33", "jpg")
                .write();
        Files.write(root.resolve("train/images/000001_female_Asian_45/mask3.jpg"), "not an image".getBytes());
        Files.write(root.resolve("train/images/000002_male_Asian_33/normal.jpg"), new byte[0]);
        DatasetScan scan = CompetitionDataset.scan(root, false);
        assertThat(scan.summary().problems()).isEmpty();

        DatasetSource source = DatasetSource.labeled(scan, "dataset-train", 0, false);
        List<Capture> read = new ArrayList<>();
        for (Capture c = source.next(); c != null; c = source.next()) {
            read.add(c);
        }
        assertThat(read).hasSize(12);
        assertThat(read).extracting(c -> c.label().personId()).containsOnly("000001", "000002");
        assertThat(source.problems()).extracting(DatasetProblem::toString).containsExactly(
                "train/images/000001_female_Asian_45/mask3.jpg: not a JPEG or PNG image (unrecognised signature)",
                "train/images/000002_male_Asian_33/normal.jpg: file is empty");

        DatasetSource strict = DatasetSource.labeled(scan, "dataset-train", 0, true);
        strict.next();
        strict.next();
        assertThatThrownBy(strict::next).isInstanceOf(DatasetException.class).hasMessageContaining("mask3.jpg");
    }

    @Test
    void aCocoFolderIsOfferedInFileOrderAsLabelledScenesKeyedBySequenceOrAsPlainFrames() throws Exception {
        SyntheticScenes scenes = new SyntheticScenes(new SyntheticFaces(SyntheticOptions.defaults(3)),
                SceneOptions.defaults().withSize(96, 72).withFramesPerSequence(3));
        scenes.writeCoco(dir.resolve("coco"), 2, 1);
        CocoScenes coco = CocoDataset.read(dir.resolve("coco"));

        DatasetSource labeled = DatasetSource.scenes(coco, "lobby", 0, true, true);
        assertThat(labeled.labeled()).isTrue();
        List<Capture> read = new ArrayList<>();
        for (Capture c = labeled.next(); c != null; c = labeled.next()) {
            read.add(c);
        }
        assertThat(read).extracting(Capture::source).containsExactly("images/seq0000_0000.jpg", "images/seq0000_0001.jpg",
                "images/seq0000_0002.jpg", "images/seq0001_0000.jpg", "images/seq0001_0001.jpg", "images/seq0001_0002.jpg");
        assertThat(read).extracting(Capture::labelKey).containsExactly("seq0000", "seq0000", "seq0000", "seq0001",
                "seq0001", "seq0001");
        assertThat(read.get(4).scene().faces()).isEqualTo(coco.images().get(4).faces());

        DatasetSource plain = DatasetSource.scenes(coco, "lobby", 0, true, false);
        assertThat(plain.labeled()).isFalse();
        Capture first = plain.next();
        assertThat(first.labeled()).isFalse();
        assertThat(first.source()).isEqualTo("images/seq0000_0000.jpg");
        assertThat(plain.size()).isEqualTo(6);
    }
}
