package io.maskstream.evaluation;

import io.maskstream.runtime.Progress;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.ImageRejectedException;
import io.maskstream.model.Prediction;
import io.maskstream.model.PreparedImage;
import io.maskstream.datasets.CsvTable;
import io.maskstream.datasets.DatasetLayout;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The competition's submission file: {@code ImageID,ans} with one row per row of {@code eval/info.csv}, in
 * its order, {@code ans} the 18-class code. An image that is missing or cannot be decoded still gets its row,
 * with {@code ans} -1, and is counted as a failure, so the file always lines up with info.csv.
 */
public final class Submission {

    private static final Logger LOG = LoggerFactory.getLogger(Submission.class);

    /** What was written. */
    public record Result(int rows, int failed, double seconds) {
    }

    private Submission() {
    }

    /** The eval folder of a dataset root, or the eval folder itself. */
    static Path evalFolder(Path path) {
        return Files.isRegularFile(path.resolve("info.csv")) ? path : path.resolve("eval");
    }

    public static Result write(Path datasetOrEval, BatchClassifier classifier, boolean flipTta, int batchSize, Path out)
            throws IOException {
        Path eval = evalFolder(datasetOrEval);
        Path info = eval.resolve("info.csv");
        if (!Files.isRegularFile(info)) {
            throw new IOException("No info.csv in " + eval + " (expected <dataset>/eval/info.csv)");
        }
        CsvTable table = CsvTable.parse(Files.readString(info, StandardCharsets.UTF_8));
        if (table.header().length == 0 || !table.header()[0].equalsIgnoreCase("ImageID")) {
            throw new IOException(info + ": the first line must be the header " + DatasetLayout.EVAL_INFO_HEADER);
        }
        List<String> ids = new ArrayList<>();
        for (String[] row : table.rows()) {
            if (row != null) {
                ids.add(row[0]);
            }
        }
        long start = System.nanoTime();
        int[] answers = new int[ids.size()];
        int failed = 0;
        Progress progress = new Progress("score", ids.size());
        List<Integer> pendingRows = new ArrayList<>();
        List<PreparedImage> pending = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Path file = eval.resolve("images").resolve(ids.get(i));
            try {
                pending.add(classifier.preprocessor().prepare(Files.readAllBytes(file)));
                pendingRows.add(i);
            } catch (IOException | ImageRejectedException e) {
                LOG.error("Eval image {} cannot be scored: {}", file, e.getMessage());
                answers[i] = -1;
                failed++;
            }
            if (pending.size() == batchSize || (i == ids.size() - 1 && !pending.isEmpty())) {
                List<Prediction> predictions = classifier.classify(pending, flipTta);
                for (int k = 0; k < predictions.size(); k++) {
                    answers[pendingRows.get(k)] = predictions.get(k).classCode();
                }
                pending.clear();
                pendingRows.clear();
            }
            progress.step(1);
        }
        progress.done();
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write("ImageID,ans\n");
            for (int i = 0; i < ids.size(); i++) {
                w.write(ids.get(i) + "," + answers[i] + "\n");
            }
        }
        return new Result(ids.size(), failed, (System.nanoTime() - start) / 1e9);
    }
}
