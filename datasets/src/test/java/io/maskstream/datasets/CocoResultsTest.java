package io.maskstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.events.AgeBand;
import io.maskstream.events.FaceBox;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoResultsTest {

    @TempDir
    Path dir;

    @Test
    void resultsAreWrittenAsACocoResultListWithOurLabelsInFixedFieldOrder() throws Exception {
        List<CocoResult> results = List.of(
                new CocoResult(7, new FaceBox(10.5f, 20f, 30.25f, 40f), 0.875f, MaskState.NONE, Gender.FEMALE,
                        AgeBand.FROM_60, 3L),
                new CocoResult(8, new FaceBox(0f, 1f, 2f, 3f), 0.5f, MaskState.WORN, Gender.MALE, AgeBand.UNDER_30, null));
        Path file = dir.resolve("out/results.json");
        CocoResults.write(file, results);
        String expected = """
                [
                  {
                    "image_id" : 7,
                    "category_id" : 1,
                    "bbox" : [
                      10.5,
                      20.0,
                      30.25,
                      40.0
                    ],
                    "score" : 0.875,
                    "mask" : "none",
                    "gender" : "female",
                    "age_band" : ">=60",
                    "class" : 17,
                    "track_id" : 3
                  },
                  {
                    "image_id" : 8,
                    "category_id" : 1,
                    "bbox" : [
                      0.0,
                      1.0,
                      2.0,
                      3.0
                    ],
                    "score" : 0.5,
                    "mask" : "worn",
                    "gender" : "male",
                    "age_band" : "<30",
                    "class" : 0,
                    "track_id" : null
                  }
                ]""";
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(expected);
        byte[] first = Files.readAllBytes(file);
        CocoResults.write(file, results);
        assertThat(Files.readAllBytes(file)).isEqualTo(first);
    }

    @Test
    void theClassIsTheCompetitionsMaskTimesSixPlusGenderTimesThreePlusAgeBand() {
        FaceBox b = new FaceBox(0f, 0f, 1f, 1f);
        assertThat(new CocoResult(1, b, 1f, MaskState.INCORRECT, Gender.MALE, AgeBand.FROM_30_TO_59, null).classIndex())
                .isEqualTo(7);
        assertThat(CocoResults.ageBandName(AgeBand.FROM_30_TO_59)).isEqualTo("30-59");
    }
}
