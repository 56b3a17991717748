package io.maskstream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.model.Classifier;
import io.maskstream.model.ComputeSettings;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.synthetic.SyntheticDataset;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubmissionTest {

    @Test
    void submissionMatchesInfoCsvRowForRowEvenWhenAnImageIsMissing(@TempDir Path dir) throws Exception {
        SyntheticDataset.write(dir, new SyntheticFaces(SyntheticOptions.defaults(3)), 2, 6, 1);
        List<String> info = Files.readAllLines(dir.resolve("eval/info.csv"));
        String missing = info.get(5).split(",")[0];
        Files.delete(dir.resolve("eval/images").resolve(missing));

        Path out = dir.resolve("submission.csv");
        Submission.Result result;
        try (Classifier classifier = Classifier.load(ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "s", 1),
                new ComputeSettings("auto", 1, 1))) {
            result = Submission.write(dir, classifier, true, 8, out);
        }

        List<String> rows = Files.readAllLines(out);
        assertThat(rows.get(0)).isEqualTo("ImageID,ans");
        assertThat(rows).hasSize(info.size());
        for (int i = 1; i < info.size(); i++) {
            String[] cells = rows.get(i).split(",");
            assertThat(cells[0]).isEqualTo(info.get(i).split(",")[0]);
            int ans = Integer.parseInt(cells[1]);
            if (cells[0].equals(missing)) {
                assertThat(ans).isEqualTo(-1);
            } else {
                assertThat(ans).isBetween(0, 17);
            }
        }
        assertThat(result.rows()).isEqualTo(info.size() - 1);
        assertThat(result.failed()).isEqualTo(1);

        Submission.Truth truth = Submission.againstTruth(dir, result).orElseThrow();
        assertThat(truth.images()).as("every scored image has its truth in labels.csv").isEqualTo(info.size() - 2);
        assertThat(truth.calibration().classes().samples()).isEqualTo(info.size() - 2);
        Files.writeString(dir.resolve("eval/labels.csv"), "ImageID,ans\n" + info.get(1).split(",")[0] + ",18\n");
        assertThatThrownBy(() -> Submission.againstTruth(dir, result)).hasMessageContaining("labels.csv line 2")
                .hasMessageContaining("got \"18\"");
        Files.delete(dir.resolve("eval/labels.csv"));
        assertThat(Submission.againstTruth(dir, result)).as("the competition's eval set has no truth").isEmpty();
    }
}
