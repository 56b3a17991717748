/**
 * Drift alarms: {@link io.maskstream.evaluation.drift.DriftMonitor} keeps a sliding window of each camera's (and each
 * model version's overall) live answers, compares its class mix and confidence histogram with the release's
 * {@code trainingProfile} by the population stability index ({@link io.maskstream.evaluation.drift.Psi}), exports
 * the figures as gauges and raises a {@code DriftEvent} when they cross the threshold;
 * {@link io.maskstream.evaluation.drift.TrainingProfiles} makes the profile the trainer stores in a release.
 */
package io.maskstream.evaluation.drift;
