package io.maskstream.datasets;

import java.nio.file.Path;

/**
 * One evaluation photo listed in {@code eval/info.csv}.
 *
 * @param file    where it is
 * @param imageId its {@code ImageID} (the file name, e.g. {@code cbc5c6e168e63498590db46022617123f1fe1268.jpg})
 */
public record EvalImage(Path file, String imageId) {
}
