/**
 * The competition dataset layout: {@code train/images/<id>_<gender>_<race>_<age>/{mask1..mask5,incorrect_mask,normal}.<ext>},
 * {@code train/train.csv} and {@code eval/info.csv} with {@code eval/images/}. {@link io.maskstream.producers.dataset.DatasetLayout}
 * holds the naming rules (shared with the synthetic writer), {@link io.maskstream.producers.dataset.CompetitionDataset}
 * scans a copy (skipping and counting junk, reporting every problem with the file it concerns) and
 * {@link io.maskstream.producers.dataset.DatasetSource} turns a scan into a camera source.
 */
package io.maskstream.producers.dataset;
