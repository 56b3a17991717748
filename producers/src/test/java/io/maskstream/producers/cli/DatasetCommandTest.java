package io.maskstream.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.datasets.CocoDataset;
import io.maskstream.datasets.CocoScenes;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetScan;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatasetCommandTest {

    @TempDir
    Path dir;

    @Test
    void synthWritesADatasetTheFolderReaderAccepts() {
        int code = new CommandLine(new DatasetCommand()).execute("synth", dir.resolve("ds").toString(), "--persons", "3",
                "--eval-persons", "1", "--seed", "5", "--size", "96x128", "--threads", "2");
        assertThat(code).isZero();
        DatasetScan scan = CompetitionDataset.scan(dir.resolve("ds"), true);
        assertThat(scan.summary().persons()).isEqualTo(3);
        assertThat(scan.train()).hasSize(21);
        assertThat(scan.eval()).hasSize(7);
        assertThat(Files.exists(dir.resolve("ds/eval/labels.csv"))).isTrue();
    }

    @Test
    void synthScenesWritesACocoFolderTheCocoReaderAccepts() {
        int code = new CommandLine(new DatasetCommand()).execute("synth", "--scenes", dir.resolve("coco").toString(),
                "--sequences", "2", "--frames", "3", "--size", "128x96", "--seed", "5", "--threads", "1");
        assertThat(code).isZero();
        CocoScenes scenes = CocoDataset.read(dir.resolve("coco"));
        assertThat(scenes.images()).hasSize(6);
        assertThat(scenes.images()).allSatisfy(i -> assertThat(i.width()).isEqualTo(128));
        assertThat(scenes.sequences()).isEqualTo(2);
        assertThat(new CommandLine(new DatasetCommand()).execute("synth", "--scenes", dir.resolve("coco").toString()))
                .as("existing COCO folder").isEqualTo(1);
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        CommandLine cmd = new CommandLine(new DatasetCommand());
        cmd.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertThat(cmd.execute("synth", dir.resolve("a").toString(), "--persons", "2", "--size", "big")).isEqualTo(2);
        assertThat(cmd.execute("synth", dir.resolve("b").toString(), "--persons", "2", "--size", "10x10")).isEqualTo(2);
        assertThat(cmd.execute("synth", dir.resolve("c").toString())).as("--persons is required").isEqualTo(2);
        Files.createDirectories(dir.resolve("d/train"));
        assertThat(cmd.execute("synth", dir.resolve("d").toString(), "--persons", "1")).as("existing dataset").isEqualTo(1);
    }
}
