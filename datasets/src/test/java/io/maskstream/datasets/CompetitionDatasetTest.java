package io.maskstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompetitionDatasetTest {

    @TempDir
    Path dir;

    @Test
    void readsMixedExtensionsInAnyCaseAndMapsStemsToMaskStates() throws Exception {
        Path root = new LayoutBuilder(dir)
                .fullPerson("000001_female_Asian_45", "jpg", "jpeg", "png", "JPG", "Jpeg", "PNG", "jpg")
                .fullPerson("000002_male_Asian_23", "png")
                .write();

        DatasetScan scan = CompetitionDataset.scan(root, false);

        assertThat(scan.summary().problems()).isEmpty();
        assertThat(scan.summary().persons()).isEqualTo(2);
        assertThat(scan.train()).hasSize(14);
        assertThat(CompetitionDataset.countByMaskState(scan.train()))
                .isEqualTo(Map.of(MaskState.WORN, 10, MaskState.INCORRECT, 2, MaskState.NONE, 2));
        TrainImage first = scan.train().get(0);
        assertThat(first.person()).isEqualTo(new DatasetLayout.PersonFolder("000001", Gender.FEMALE, "Asian", 45));
        assertThat(first.relativePath()).isEqualTo("train/images/000001_female_Asian_45/mask1.jpg");
        // photos come in stem order whatever the extension
        assertThat(scan.train().subList(0, 7)).extracting(t -> t.file().getFileName().toString())
                .containsExactly("mask1.jpg", "mask2.jpeg", "mask3.png", "mask4.JPG", "mask5.Jpeg", "incorrect_mask.PNG",
                        "normal.jpg");
        assertThat(scan.train().subList(0, 7)).extracting(TrainImage::maskState).containsExactly(MaskState.WORN,
                MaskState.WORN, MaskState.WORN, MaskState.WORN, MaskState.WORN, MaskState.INCORRECT, MaskState.NONE);
        assertThat(scan.train().get(7).person().gender()).isEqualTo(Gender.MALE);
    }

    @Test
    void labelledCapturesCarryThePersonAndTheRealContentType() throws Exception {
        Path root = new LayoutBuilder(dir).fullPerson("000003_male_Asian_61", "jpg", "png").write();
        DatasetScan scan = CompetitionDataset.scan(root, false);

        Capture mask2 = CompetitionDataset.read(scan.train().get(1));
        assertThat(mask2.contentType()).isEqualTo(ImageCodec.PNG);
        assertThat(mask2.width()).isEqualTo(24);
        assertThat(mask2.height()).isEqualTo(32);
        assertThat(mask2.label().personId()).isEqualTo("000003");
        assertThat(mask2.label().gender()).isEqualTo(Gender.MALE);
        assertThat(mask2.label().age()).isEqualTo(61);
        assertThat(mask2.label().race()).isEqualTo("Asian");
        assertThat(mask2.label().maskState()).isEqualTo(MaskState.WORN);
        assertThat(mask2.label().sourcePath()).isEqualTo("train/images/000003_male_Asian_61/mask2.png");
        assertThat(CompetitionDataset.read(scan.train().get(6)).label().maskState()).isEqualTo(MaskState.NONE);
    }

    @Test
    void skipsAndCountsJunkWithoutCallingItAProblem() throws Exception {
        Path root = new LayoutBuilder(dir)
                .fullPerson("000001_female_Asian_45", "jpg")
                .file("train/images/000001_female_Asian_45/._mask1.jpg", new byte[] {0, 5, 22, 7})
                .file("train/images/000001_female_Asian_45/.DS_Store", new byte[] {1})
                .file("train/images/000001_female_Asian_45/notes.txt", "hello".getBytes())
                .file("train/images/000001_female_Asian_45/mask6.jpg", LayoutBuilder.jpeg(3))
                .file("train/images/.DS_Store", new byte[] {1})
                .file("train/images/._000001_female_Asian_45", new byte[] {1})
                .file("train/images/.ipynb_checkpoints/mask1.jpg", LayoutBuilder.jpeg(4))
                .file("train/images/__MACOSX/x", new byte[] {1})
                .file("eval/images/._abc.jpg", new byte[] {1})
                .file("eval/images/.DS_Store", new byte[] {1})
                .write();

        DatasetScan scan = CompetitionDataset.scan(root, false);

        assertThat(scan.summary().problems()).isEmpty();
        assertThat(scan.train()).hasSize(7);
        // 4 in the person folder, 4 in train/images, 2 in eval/images
        assertThat(scan.summary().junkSkipped()).isEqualTo(10);
        assertThat(scan.summary().junkExamples()).contains("train/images/000001_female_Asian_45/._mask1.jpg",
                "train/images/.ipynb_checkpoints", "eval/images/.DS_Store");
        assertThat(scan.summary().describe()).contains("skipped 10 junk entries").contains("0 problems");
    }

    @Test
    void reportsBadFolderNamesMissingImagesAndDanglingCsvRowsAndGoesOn() throws Exception {
        Path root = new LayoutBuilder(dir)
                .fullPerson("000001_female_Asian_45", "jpg")
                .fullPerson("000002_robot_Asian_30", "jpg")
                .fullPerson("not-a-person", "jpg")
                .person("000004_male_Asian_33", "mask1.jpg", "mask2.jpg", "mask3.jpg", "mask4.jpg", "mask5.jpg",
                        "incorrect_mask.jpg")
                .csvRow("000005,male,Asian,50,000005_male_Asian_50")
                .write();

        DatasetScan scan = CompetitionDataset.scan(root, false);

        List<String> problems = scan.summary().problems().stream().map(DatasetProblem::toString).toList();
        assertThat(problems).hasSize(4);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("train/images/000002_robot_Asian_30: bad person folder name"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("train/images/not-a-person: bad person folder name"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("train/images/000004_male_Asian_33/normal.jpg: missing"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("train/images/000005_male_Asian_50: listed in "
                + "train/train.csv line 4 but the folder does not exist"));
        // the good person and the six photos of the incomplete one are still there
        assertThat(scan.summary().persons()).isEqualTo(2);
        assertThat(scan.train()).hasSize(13);
        assertThat(scan.summary().ok()).isFalse();
    }

    @Test
    void stopsAtTheFirstProblemWhenFailFast() throws Exception {
        Path root = new LayoutBuilder(dir)
                .fullPerson("000001_female_Asian_45", "jpg")
                .person("000002_male_Asian_33", "mask1.jpg")
                .write();

        assertThatThrownBy(() -> CompetitionDataset.scan(root, true))
                .isInstanceOfSatisfying(DatasetException.class, e -> assertThat(e.problem().path())
                        .isEqualTo("train/images/000002_male_Asian_33/mask2.jpg"))
                .hasMessageContaining("person 000002 has no mask2 image");
    }

    @Test
    void csvRowsThatDisagreeWithTheFolderNameAreProblemsAndUnlistedFoldersAreUsed() throws Exception {
        Path root = new LayoutBuilder(dir)
                .fullPerson("000001_female_Asian_45", "jpg")
                .csvRow("000001,male,Asian,45,000001_female_Asian_45")
                .write();
        Path second = Files.createDirectories(root.resolve("train/images/000009_male_Asian_70"));
        for (String stem : DatasetLayout.STEMS) {
            Files.write(second.resolve(stem + ".jpg"), LayoutBuilder.jpeg(1));
        }

        DatasetScan scan = CompetitionDataset.scan(root, false);

        assertThat(scan.summary().problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("train/train.csv");
            assertThat(p.message()).contains("line 3").contains("disagrees with its folder name");
        });
        assertThat(scan.summary().unlisted()).isEqualTo(1);
        assertThat(scan.summary().persons()).isEqualTo(2);
        assertThat(scan.train()).hasSize(14);
    }

    @Test
    void missingTrainCsvAndWrongHeadersAreNamed() throws Exception {
        Path root = new LayoutBuilder(dir).fullPerson("000001_female_Asian_45", "jpg").write();
        Files.delete(root.resolve("train/train.csv"));
        Files.writeString(root.resolve("eval/info.csv"), "id,answer\nx.jpg,-1\n");

        DatasetScan scan = CompetitionDataset.scan(root, false);

        assertThat(scan.summary().problems()).extracting(DatasetProblem::path).containsExactly("train/train.csv", "eval/info.csv");
        assertThat(scan.summary().problems().get(1).message()).contains("expected the header ImageID,ans");
        assertThat(scan.train()).hasSize(7);
    }

    @Test
    void evalImagesComeInInfoCsvOrderWithTheirImageIdAndMissingOnesAreNamed() throws Exception {
        Path root = new LayoutBuilder(dir)
                .evalImage("cbc5c6e1.jpg", true, true)
                .evalImage("0a1b2c3d.png", true, true)
                .evalImage("ffff0000.jpg", true, false)
                .evalImage("unlisted.jpg", false, true)
                .write();
        Files.writeString(root.resolve("eval/info.csv"), "\uFEFFImageID,ans\r\ncbc5c6e1.jpg,-1\r\n0a1b2c3d.png,-1\r\n"
                + "ffff0000.jpg,-1\r\n", StandardCharsets.UTF_8);

        DatasetScan scan = CompetitionDataset.scan(root, false);

        assertThat(scan.eval()).extracting(EvalImage::imageId).containsExactly("cbc5c6e1.jpg", "0a1b2c3d.png");
        assertThat(scan.summary().problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("eval/images/ffff0000.jpg");
            assertThat(p.message()).contains("eval/info.csv line 4");
        });
        assertThat(scan.summary().unlisted()).isEqualTo(1);
        Capture c = CompetitionDataset.read(scan.eval().get(1));
        assertThat(c.label()).isNull();
        assertThat(c.source()).isEqualTo("0a1b2c3d.png");
        assertThat(c.contentType()).isEqualTo(ImageCodec.PNG);
    }

    @Test
    void aRootThatIsNotADatasetIsRefusedWhateverTheMode() throws Exception {
        assertThatThrownBy(() -> CompetitionDataset.scan(dir.resolve("nope"), false))
                .isInstanceOf(DatasetException.class).hasMessageContaining("is not a directory");
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> CompetitionDataset.scan(dir.resolve("empty"), false))
                .isInstanceOf(DatasetException.class).hasMessageContaining("neither train/ nor eval/");
    }

    @Test
    void folderNamesParseOnlyWithAKnownGenderAndANumericAge() {
        assertThat(DatasetLayout.parseFolderName("006959_Male_Asian_19")).contains(
                new DatasetLayout.PersonFolder("006959", Gender.MALE, "Asian", 19));
        assertThat(DatasetLayout.parseFolderName("000001_female_Asian")).isEmpty();
        assertThat(DatasetLayout.parseFolderName("000001_woman_Asian_40")).isEmpty();
        assertThat(DatasetLayout.parseFolderName("000001_female_Asian_4x")).isEmpty();
        assertThat(DatasetLayout.maskState("Incorrect_Mask")).contains(MaskState.INCORRECT);
        assertThat(DatasetLayout.maskState("mask0")).isEmpty();
        assertThat(DatasetLayout.maskState("mask6")).isEmpty();
    }
}
