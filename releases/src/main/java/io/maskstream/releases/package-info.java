/**
 * How model releases travel: {@link io.maskstream.releases.ReleaseLog} reads and writes the compacted
 * {@code model-releases} topic, {@link io.maskstream.releases.ArtifactStore} carries bundle files through
 * Kafka in chunks (so processors on other machines need no shared filesystem), and
 * {@link io.maskstream.releases.ReleaseFollower} tells a running service when the active release changes,
 * {@link io.maskstream.releases.ReleaseTransitions} builds the status records of a change of serving version
 * (activation, trial, retirement of a trial) for operators and the online evaluation alike, and
 * {@link io.maskstream.releases.ReleaseSignatures} signs releases and checks who signed them.
 */
package io.maskstream.releases;
