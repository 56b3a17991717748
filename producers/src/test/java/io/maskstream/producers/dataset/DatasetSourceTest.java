package io.maskstream.producers.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetException;
import io.maskstream.datasets.DatasetProblem;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.datasets.LayoutBuilder;
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
}
