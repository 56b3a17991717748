package io.maskstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.LabeledFrame;
import io.maskstream.events.MaskState;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CocoDatasetTest {

    @TempDir
    Path dir;

    /** A CVAT-style export: two frames of one video, one of another, a non-face category, one box past the edge. */
    private static final String CVAT = """
            {
              "licenses": [{"name": "", "id": 0, "url": ""}],
              "info": {"contributor": "", "date_created": "", "description": "", "url": "", "version": "", "year": ""},
              "categories": [{"id": 1, "name": "person", "supercategory": ""}, {"id": 2, "name": "Face", "supercategory": ""}],
              "images": [
                {"id": 3, "width": 64, "height": 48, "file_name": "lobby_000002.jpg", "license": 0, "date_captured": 0},
                {"id": 1, "width": 64, "height": 48, "file_name": "lobby_000001.jpg", "license": 0, "date_captured": 0},
                {"id": 2, "width": 64, "height": 48, "file_name": "door.jpg", "attributes": {"sequence": "cam-door"}}
              ],
              "annotations": [
                {"id": 1, "image_id": 1, "category_id": 2, "segmentation": [], "area": 100.0, "bbox": [10, 5, 10, 10],
                 "iscrowd": 0, "attributes": {"mask": "worn", "gender": "female", "age": 34, "person": "7", "occluded": false}},
                {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 30, 48], "iscrowd": 0, "attributes": {}},
                {"id": 3, "image_id": 3, "category_id": 2, "bbox": [58.5, -2, 10, 12.25], "iscrowd": 0,
                 "attributes": {"mask": "none", "gender": "male", "age": "61"}},
                {"id": 4, "image_id": 3, "category_id": 2, "bbox": [1, 1, 5, 5], "iscrowd": 0,
                 "attributes": {"mask": "Incorrect", "gender": "MALE", "age": 20}}
              ]
            }
            """;

    private Path folder(String annotations, String... images) throws Exception {
        Path root = Files.createDirectories(dir.resolve("coco"));
        Files.createDirectories(root.resolve("images"));
        for (String name : images) {
            Files.write(root.resolve("images").resolve(name), ImageCodec.jpeg(new BufferedImage(64, 48,
                    BufferedImage.TYPE_3BYTE_BGR), 80));
        }
        Files.writeString(root.resolve(CocoDataset.ANNOTATIONS), annotations, StandardCharsets.UTF_8);
        return root;
    }

    private Path cvat() throws Exception {
        return folder(CVAT, "lobby_000001.jpg", "lobby_000002.jpg", "door.jpg");
    }

    @Test
    void aCvatExportIsReadInFileNameOrderWithItsFacesClippedAndOtherCategoriesCounted() throws Exception {
        Path root = cvat();
        assertThat(CocoDataset.isCoco(root)).isTrue();
        assertThat(CocoDataset.isCoco(dir)).isFalse();

        CocoScenes read = CocoDataset.read(root);
        assertThat(read.images()).extracting(CocoImage::fileName)
                .containsExactly("door.jpg", "lobby_000001.jpg", "lobby_000002.jpg");
        assertThat(read.images()).extracting(CocoImage::sequenceId).containsExactly("cam-door", "lobby", "lobby");
        assertThat(read.faces()).isEqualTo(3);
        assertThat(read.otherCategories()).isEqualTo(1);
        assertThat(read.clipped()).isEqualTo(1);
        assertThat(read.images().get(0).faces()).isEmpty();
        assertThat(read.images().get(1).faces()).containsExactly(
                new SceneFace(new FaceBox(10f, 5f, 10f, 10f), MaskState.WORN, Gender.FEMALE, 34, "7"));
        assertThat(read.images().get(2).faces()).containsExactly(
                new SceneFace(new FaceBox(58.5f, 0f, 5.5f, 10.25f), MaskState.NONE, Gender.MALE, 61, null),
                new SceneFace(new FaceBox(1f, 1f, 5f, 5f), MaskState.INCORRECT, Gender.MALE, 20, null));
        assertThat(read.describe()).contains("3 images in 2 sequences, 3 faces", "1 boxes clipped");
    }

    @Test
    void writingThenReadingGivesTheSameImagesAndTheSameBytesTwice() throws Exception {
        Path root = cvat();
        List<CocoImage> images = CocoDataset.read(root).images();
        Path copy = Files.createDirectories(dir.resolve("copy/images"));
        for (CocoImage i : images) {
            Files.copy(root.resolve(i.relativePath()), copy.resolve(i.fileName()));
        }
        CocoDataset.write(copy.getParent(), images);
        byte[] first = Files.readAllBytes(copy.resolveSibling(CocoDataset.ANNOTATIONS));
        assertThat(CocoDataset.read(copy.getParent()).images()).isEqualTo(images);
        CocoDataset.write(copy.getParent(), images);
        assertThat(Files.readAllBytes(copy.resolveSibling(CocoDataset.ANNOTATIONS))).isEqualTo(first);
        assertThat(new String(first, StandardCharsets.UTF_8)).contains("\"attributes\" : {\n        \"mask\" : \"worn\",");
    }

    @Test
    void anImageBecomesASceneLabeledFrameKeyedByItsSequence() throws Exception {
        CocoScenes read = CocoDataset.read(cvat());
        CocoImage image = read.images().get(2);
        Capture c = CocoDataset.capture(read, image);
        assertThat(c.labeled()).isTrue();
        assertThat(c.labelKey()).isEqualTo("lobby");
        assertThat(c.source()).isEqualTo("images/lobby_000002.jpg");
        assertThat(c.width()).isEqualTo(64);

        LabeledFrame f = Frames.labeledFrame("cam", 9, c);
        assertThat(f.getScene()).isTrue();
        assertThat(f.getPersonId()).isEqualTo("lobby");
        assertThat(f.getSourcePath()).isEqualTo("images/lobby_000002.jpg");
        assertThat(f.getGender()).isNull();
        assertThat(f.getAge()).isNull();
        assertThat(f.getMaskState()).isNull();
        assertThat(f.getFaces()).hasSize(2);
        assertThat(f.getFaces().get(0).getBox()).isEqualTo(new FaceBox(58.5f, 0f, 5.5f, 10.25f));
        assertThat(f.getFaces().get(0).getMaskState()).isEqualTo(MaskState.NONE);
        assertThat(f.getFaces().get(0).getAge()).isEqualTo(61);
        assertThat(f.getFaces().get(0).getPersonId()).isNull();
        assertThat(f.getFrame().getSequence()).isEqualTo(9L);
    }

    static Stream<Arguments> corrupt() {
        return Stream.of(
                Arguments.of("unparsable JSON", CVAT.replace("\"images\": [", "\"images\": [,"),
                        "annotations.json: is not valid JSON at line 5, column 14: Unexpected character"),
                Arguments.of("missing bbox", CVAT.replace("\"bbox\": [1, 1, 5, 5],", ""),
                        "annotations.json: annotations[3] (id 4): bbox must be [x, y, width, height], was missing"),
                Arguments.of("short bbox", CVAT.replace("[1, 1, 5, 5]", "[1, 1, 5]"),
                        "annotations.json: annotations[3] (id 4): bbox must be [x, y, width, height], was [1,1,5]"),
                Arguments.of("negative bbox", CVAT.replace("[1, 1, 5, 5]", "[1, 1, -5, 5]"),
                        "annotations.json: annotations[3] (id 4): bbox width and height must be > 0"),
                Arguments.of("non-numeric bbox", CVAT.replace("[1, 1, 5, 5]", "[1, \"1\", 5, 5]"),
                        "annotations.json: annotations[3] (id 4): bbox must hold four numbers"),
                Arguments.of("unknown image", CVAT.replace("{\"id\": 4, \"image_id\": 3", "{\"id\": 4, \"image_id\": 30"),
                        "annotations.json: annotations[3] (id 4): image_id 30 is not the id of any image"),
                Arguments.of("duplicate image id", CVAT.replace("{\"id\": 2, \"width\"", "{\"id\": 1, \"width\""),
                        "annotations.json: images[2] (id 1) door.jpg: a second image with id 1"),
                Arguments.of("unknown mask", CVAT.replace("\"Incorrect\"", "\"chin\""),
                        "annotations.json: annotations[3] (id 4): attributes.mask is \"chin\", expected worn, incorrect or none"),
                Arguments.of("unknown gender", CVAT.replace("\"MALE\"", "\"m\""),
                        "annotations.json: annotations[3] (id 4): attributes.gender is \"m\", expected male or female"),
                Arguments.of("missing age", CVAT.replace(", \"age\": 20", ""),
                        "annotations.json: annotations[3] (id 4): attributes.age is missing, expected the age in whole years"),
                Arguments.of("unknown category", CVAT.replace("{\"id\": 4, \"image_id\": 3, \"category_id\": 2",
                        "{\"id\": 4, \"image_id\": 3, \"category_id\": 5"),
                        "annotations.json: annotations[3] (id 4): category_id 5 is not the id of any category"),
                Arguments.of("no face category", CVAT.replace("\"Face\"", "\"head\""),
                        "annotations.json: categories: none is named 'face'"),
                Arguments.of("size disagreeing with the file", CVAT.replace("{\"id\": 2, \"width\": 64, \"height\": 48",
                        "{\"id\": 2, \"width\": 640, \"height\": 480"),
                        "images/door.jpg: is 64x48 but annotations.json images[2] (id 2) door.jpg says 640x480"),
                Arguments.of("missing image file", CVAT.replace("\"door.jpg\"", "\"gone.jpg\""),
                        "images/gone.jpg: listed in annotations.json images[2] (id 2) gone.jpg but the file does not exist"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corrupt")
    void aCorruptOrInconsistentFileStopsTheReadNamingTheFileAndTheEntry(String what, String json, String message)
            throws Exception {
        Path root = folder(json, "lobby_000001.jpg", "lobby_000002.jpg", "door.jpg");
        assertThatThrownBy(() -> CocoDataset.read(root)).isInstanceOf(DatasetException.class).hasMessageStartingWith(message);
    }
}
