/**
 * Labeled photos and where they come from. {@link io.maskstream.datasets.Capture} is one encoded image as a source
 * yields it (with its {@link io.maskstream.datasets.FrameLabel} when it has ground truth), and
 * {@link io.maskstream.datasets.Frames} the one place that maps it onto the {@code Frame} and {@code LabeledFrame}
 * events. The competition dataset layout: {@code train/images/<id>_<gender>_<race>_<age>/{mask1..mask5,incorrect_mask,normal}.<ext>},
 * {@code train/train.csv} and {@code eval/info.csv} with {@code eval/images/}: {@link io.maskstream.datasets.DatasetLayout}
 * holds the naming rules (shared with the synthetic writer), {@link io.maskstream.datasets.CompetitionDataset}
 * scans a copy (skipping and counting junk, reporting every problem with the file it concerns). Scenes (many
 * faces per image, each a {@link io.maskstream.datasets.SceneFace}) come as COCO folders: {@link io.maskstream.datasets.CocoDataset}
 * reads and writes them, {@link io.maskstream.datasets.CocoResults} writes detection results. Producers, the
 * trainer and evaluation read datasets through this module.
 */
package io.maskstream.datasets;
