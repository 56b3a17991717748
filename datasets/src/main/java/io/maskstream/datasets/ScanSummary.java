package io.maskstream.datasets;

import java.util.List;

/**
 * What a scan found: how much data, how much junk was skipped (with a few examples) and every problem.
 *
 * @param persons         valid person folders
 * @param trainImages     training images found
 * @param evalImages      evaluation images listed in info.csv and present
 * @param junkSkipped     entries skipped as junk (macOS {@code ._*}, {@code .DS_Store}, hidden entries, unknown files)
 * @param junkExamples    up to {@value #EXAMPLES} of them, relative paths
 * @param unlisted        person folders missing from train.csv plus eval images missing from info.csv (used anyway
 *                        for folders; eval images not in info.csv have no ImageID row and are skipped)
 * @param problems        every problem found, in the order found
 */
public record ScanSummary(int persons, int trainImages, int evalImages, int junkSkipped, List<String> junkExamples,
                          int unlisted, List<DatasetProblem> problems) {

    public static final int EXAMPLES = 10;

    public ScanSummary {
        junkExamples = List.copyOf(junkExamples);
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** One line for a log or a terminal. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(persons).append(" persons, ").append(trainImages).append(" train images, ").append(evalImages)
                .append(" eval images; skipped ").append(junkSkipped).append(" junk entries");
        if (!junkExamples.isEmpty()) {
            sb.append(" (e.g. ").append(String.join(", ", junkExamples.subList(0, Math.min(3, junkExamples.size()))))
                    .append(')');
        }
        if (unlisted > 0) {
            sb.append("; ").append(unlisted).append(" entries not listed in the CSV files");
        }
        sb.append("; ").append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
        return sb.toString();
    }
}
