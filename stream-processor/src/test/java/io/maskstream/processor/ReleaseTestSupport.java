package io.maskstream.processor;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.runtime.config.ServiceConfig;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;

/** Publishes releases (artifact + record) the way the trainer does, including deliberately broken ones. */
final class ReleaseTestSupport {

    private ReleaseTestSupport() {
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Publishes {@code bundleBytes} as the artifact of {@code version} and an ACTIVE release naming {@code sha}. */
    static ModelRelease publishActive(ServiceConfig config, String version, byte[] bundleBytes, String sha) {
        return publishActive(config, version, bundleBytes, sha, r -> r);
    }

    /** As above, with {@code finish} applied to the release before it is published (to sign it, or to tamper with it). */
    static ModelRelease publishActive(ServiceConfig config, String version, byte[] bundleBytes, String sha,
                                      java.util.function.UnaryOperator<ModelRelease> finish) {
        return publish(config, version, bundleBytes, sha, ReleaseStatus.ACTIVE, finish);
    }

    /** Publishes {@code bundleBytes} as the artifact of {@code version} and a release of that status naming {@code sha}. */
    static ModelRelease publish(ServiceConfig config, String version, byte[] bundleBytes, String sha, ReleaseStatus status,
                                java.util.function.UnaryOperator<ModelRelease> finish) {
        String uri = new ArtifactStore(config).publish(version, bundleBytes, sha);
        Instant now = Instant.now();
        ModelRelease release = ModelRelease.newBuilder().setVersion(version).setArchitecture("fastnet")
                .setInputWidth(96).setInputHeight(128).setStatus(status).setCreatedTime(now)
                .setStatusTime(now).setSha256(sha).setArtifactUri(uri).setArtifactBytes(bundleBytes.length)
                .setTrainingData("test").setMetrics(null).setNotes(null).build();
        release = finish.apply(release);
        new ReleaseLog(config).publish(release);
        return release;
    }
}
