package io.maskstream.evaluation;

import io.maskstream.runtime.Progress;
import io.maskstream.evaluation.metrics.Calibration;
import io.maskstream.evaluation.metrics.Confusion;
import io.maskstream.model.BatchClassifier;
import io.maskstream.model.McDropout;
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

    /** The file that, beside {@code info.csv}, holds an eval folder's truth when it has one (synthetic datasets). */
    public static final String TRUTH_FILE = "labels.csv";

    /**
     * What was written; {@code imageIds} and {@code predictions} line up with info.csv (a null prediction for an image
     * that could not be scored).
     */
    public record Result(int rows, int failed, double seconds, List<String> imageIds, List<Prediction> predictions) {

        /** A result without the predictions. */
        public Result(int rows, int failed, double seconds) {
            this(rows, failed, seconds, List.of(), List.of());
        }
    }

    /** How the answers did against the eval folder's truth: on how many images, the confusion and the calibration. */
    public record Truth(int images, Confusion confusion, Calibration.Summary calibration) {
    }

    private Submission() {
    }

    /** The eval folder of a dataset root, or the eval folder itself. */
    static Path evalFolder(Path path) {
        return Files.isRegularFile(path.resolve("info.csv")) ? path : path.resolve("eval");
    }

    public static Result write(Path datasetOrEval, BatchClassifier classifier, boolean flipTta, int batchSize, Path out)
            throws IOException {
        return write(datasetOrEval, classifier, flipTta, McDropout.OFF, batchSize, out);
    }

    /** As {@link #write(Path, BatchClassifier, boolean, int, Path)}, sampling {@code mc} MC-dropout passes. */
    public static Result write(Path datasetOrEval, BatchClassifier classifier, boolean flipTta, McDropout mc, int batchSize,
                               Path out) throws IOException {
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
        List<Prediction> all = new ArrayList<>(java.util.Collections.nCopies(ids.size(), (Prediction) null));
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
                List<Prediction> predictions = classifier.classify(pending, flipTta, mc);
                for (int k = 0; k < predictions.size(); k++) {
                    answers[pendingRows.get(k)] = predictions.get(k).classCode();
                    all.set(pendingRows.get(k), predictions.get(k));
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
        return new Result(ids.size(), failed, (System.nanoTime() - start) / 1e9, List.copyOf(ids),
                java.util.Collections.unmodifiableList(all));
    }

    /**
     * {@code result}'s answers scored against the eval folder's truth ({@value #TRUTH_FILE}: {@code ImageID,ans,...},
     * as synthetic datasets write it), or empty when the folder has none (the competition's eval set).
     *
     * @throws IOException if the truth file cannot be read, lacks the header or names a class outside 0..17
     */
    public static java.util.Optional<Truth> againstTruth(Path datasetOrEval, Result result) throws IOException {
        Path file = evalFolder(datasetOrEval).resolve(TRUTH_FILE);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        CsvTable table = CsvTable.parse(Files.readString(file, StandardCharsets.UTF_8));
        if (table.header().length < 2 || !table.header()[0].equalsIgnoreCase("ImageID")
                || !table.header()[1].equalsIgnoreCase("ans")) {
            throw new IOException(file + ": the first line must start with ImageID,ans");
        }
        java.util.Map<String, Integer> truth = new java.util.HashMap<>();
        int line = 1;
        for (String[] row : table.rows()) {
            line++;
            if (row == null) {
                continue;
            }
            int code;
            try {
                code = Integer.parseInt(row[1].trim());
            } catch (RuntimeException e) {
                code = -1;
            }
            if (code < 0 || code >= io.maskstream.model.LabelCodec.CLASSES) {
                throw new IOException(file + " line " + line + ": ans must be a class code 0..17, got \""
                        + (row.length > 1 ? row[1] : "") + "\"");
            }
            truth.put(row[0], code);
        }
        Confusion confusion = new Confusion();
        Calibration calibration = new Calibration();
        int images = 0;
        for (int i = 0; i < result.imageIds().size(); i++) {
            Integer t = truth.get(result.imageIds().get(i));
            Prediction p = result.predictions().get(i);
            if (t != null && p != null) {
                confusion.add(t, p.classCode());
                calibration.add(t, p);
                images++;
            }
        }
        return java.util.Optional.of(new Truth(images, confusion, calibration.summary()));
    }
}
