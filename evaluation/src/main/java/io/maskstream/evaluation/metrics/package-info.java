/**
 * The competition's metrics, computed one way for the trainer's holdout, replay evaluation and online
 * evaluation: {@link io.maskstream.evaluation.metrics.Confusion} accumulates an 18x18 confusion matrix and
 * derives macro-F1, accuracy, per-head F1 and per-class precision/recall/F1 from it;
 * {@link io.maskstream.evaluation.metrics.DetectionMetrics} scores face detection (greedy matching at IoU 0.5,
 * precision, recall per mask state, AP50) and tells which prediction found each labeled face;
 * {@link io.maskstream.evaluation.metrics.Calibration} measures how well confidence matches accuracy (ECE and the
 * reliability diagram's bins).
 */
package io.maskstream.evaluation.metrics;
