package io.maskstream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.events.MaskState;
import io.maskstream.datasets.CompetitionDataset;
import io.maskstream.datasets.DatasetScan;
import io.maskstream.datasets.TrainImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDatasetTest {

    @TempDir
    Path dir;

    private final SyntheticFaces faces = new SyntheticFaces(SyntheticOptions.defaults(11).withSize(192, 256)
            .withExtensionShares(0.5, 0.25, 0.25));

    @Test
    void writesTheCompetitionLayoutThatTheReaderAcceptsWithoutProblems() throws Exception {
        SyntheticDataset.Summary s = SyntheticDataset.write(dir, faces, 6, 2, 2);

        assertThat(s.trainImages()).isEqualTo(42);
        assertThat(s.evalImages()).isEqualTo(14);
        assertThat(s.byMask()).isEqualTo(Map.of(MaskState.WORN, 30, MaskState.INCORRECT, 6, MaskState.NONE, 6));
        assertThat(s.byExtension().keySet()).containsExactly("jpeg", "jpg", "png");

        DatasetScan scan = CompetitionDataset.scan(dir, true);
        assertThat(scan.summary().problems()).isEmpty();
        assertThat(scan.summary().junkSkipped()).isZero();
        assertThat(scan.summary().persons()).isEqualTo(6);
        assertThat(scan.train()).hasSize(42);
        assertThat(scan.eval()).hasSize(14);
        for (int i = 0; i < 6; i++) {
            SyntheticPerson p = faces.person(i);
            TrainImage first = scan.train().get(i * 7);
            assertThat(first.person().id()).isEqualTo(p.id());
            assertThat(first.person().gender()).isEqualTo(p.gender());
            assertThat(first.person().age()).isEqualTo(p.age());
            assertThat(first.person().race()).isEqualTo("Asian");
        }
        assertThat(Files.readAllLines(dir.resolve("train/train.csv")).get(1))
                .isEqualTo(faces.person(0).id() + "," + faces.person(0).gender().name().toLowerCase() + ",Asian,"
                        + faces.person(0).age() + "," + SyntheticFaces.folderName(faces.person(0)));
        List<String> info = Files.readAllLines(dir.resolve("eval/info.csv"));
        assertThat(info.get(0)).isEqualTo("ImageID,ans");
        assertThat(info.subList(1, info.size())).allSatisfy(l -> assertThat(l).endsWith(",-1"));
        List<String> labels = Files.readAllLines(dir.resolve(SyntheticDataset.EVAL_LABELS));
        assertThat(labels).hasSize(15);
        // eval persons are not train persons
        assertThat(labels.subList(1, 15)).allSatisfy(l -> assertThat(l.split(",")[5]).isIn(faces.person(6).id(),
                faces.person(7).id()));
    }

    @Test
    void evalTruthUsesTheCompetitionClassCodes() throws Exception {
        SyntheticDataset.write(dir, faces, 0, 3, 1);
        for (String line : Files.readAllLines(dir.resolve(SyntheticDataset.EVAL_LABELS)).subList(1, 22)) {
            String[] f = line.split(",");
            int mask = MaskState.valueOf(f[2]).ordinal();
            int gender = f[3].equals("MALE") ? 0 : 1;
            int age = Integer.parseInt(f[4]);
            int band = age < 30 ? 0 : age < 60 ? 1 : 2;
            assertThat(Integer.parseInt(f[1])).isEqualTo(mask * 6 + gender * 3 + band);
        }
    }

    @Test
    void theOutputDoesNotDependOnTheNumberOfThreads() throws Exception {
        SyntheticDataset.write(dir.resolve("a"), faces, 4, 1, 1);
        SyntheticDataset.write(dir.resolve("b"), faces, 4, 1, 3);
        Map<String, byte[]> a = tree(dir.resolve("a"));
        Map<String, byte[]> b = tree(dir.resolve("b"));
        assertThat(a.keySet()).isEqualTo(b.keySet()).hasSize(4 * 7 + 7 + 3);
        a.forEach((k, v) -> assertThat(b.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void refusesToWriteOverAnExistingDataset() throws Exception {
        Files.createDirectories(dir.resolve("train"));
        assertThatThrownBy(() -> SyntheticDataset.write(dir, faces, 1, 0, 1))
                .isInstanceOf(IOException.class).hasMessageContaining("already holds a dataset");
    }

    private static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }
}
