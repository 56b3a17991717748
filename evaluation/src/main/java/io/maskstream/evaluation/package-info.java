/**
 * Measuring models on data with ground truth: {@link io.maskstream.evaluation.ReplayEvaluation} replays a
 * recorded labeled topic through one or several model versions side by side and writes JSON and an offline
 * HTML report; {@link io.maskstream.evaluation.OnlineEvaluation} joins live classifications with labels for a
 * running macro-F1 per model version (shadow and canary versions too), compares versions on the same frames
 * ({@link io.maskstream.evaluation.LiveQuality}: agreement, F1 on shared labeled frames), and its
 * {@link io.maskstream.evaluation.ReleaseJudge} promotes a shadow release or rolls back a canary from those figures;
 * {@link io.maskstream.evaluation.Submission} writes the competition's
 * submission CSV for an eval folder.
 */
package io.maskstream.evaluation;
