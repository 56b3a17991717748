/**
 * How model releases travel: {@link io.maskstream.model.release.ReleaseLog} reads and writes the compacted
 * {@code model-releases} topic, {@link io.maskstream.model.release.ArtifactStore} carries bundle files through
 * Kafka in chunks (so processors on other machines need no shared filesystem), and
 * {@link io.maskstream.model.release.ReleaseFollower} tells a running service when the active release changes.
 */
package io.maskstream.model.release;
