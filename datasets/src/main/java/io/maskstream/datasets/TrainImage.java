package io.maskstream.datasets;

import io.maskstream.events.MaskState;
import java.nio.file.Path;

/**
 * One training photo found by a scan.
 *
 * @param file         where it is
 * @param relativePath its path relative to the dataset root, e.g. {@code train/images/000001_female_Asian_45/mask1.jpg}
 * @param person       the person folder it lives in
 * @param maskState    the mask state its stem says
 */
public record TrainImage(Path file, String relativePath, DatasetLayout.PersonFolder person, MaskState maskState) {
}
