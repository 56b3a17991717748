package io.maskstream.datasets;

import java.nio.file.Path;
import java.util.List;

/**
 * The result of scanning a dataset copy: its usable images, in a stable order (persons by folder name, photos
 * in {@link DatasetLayout#STEMS} order; eval images in info.csv order), and the summary.
 */
public record DatasetScan(Path root, List<TrainImage> train, List<EvalImage> eval, ScanSummary summary) {

    public DatasetScan {
        train = List.copyOf(train);
        eval = List.copyOf(eval);
    }
}
