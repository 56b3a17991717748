package io.maskstream.releases;

import io.maskstream.events.ModelRelease;
import io.maskstream.events.ReleaseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The status records a change of serving version writes to {@code model-releases}, shared by the operator's
 * commands (trainer {@code Releases}) and the online evaluation's release judge, so both change versions the same way.
 *
 * <p>Invariant kept: at most one release is ACTIVE once the records returned are published (an activation returns the
 * RETIRED record of the previous active release first, then the ACTIVE one). Each method checks the status the
 * release has in {@code all} (the topic's latest state) and returns no record when the change is already done, so a
 * caller that re-reads the compacted topic before acting (a restarted judge) never promotes or rolls back twice.
 */
public final class ReleaseTransitions {

    private ReleaseTransitions() {
    }

    /**
     * Makes {@code version} ACTIVE and retires the current active release (notes: {@code why}).
     *
     * @return the records to publish, in order; empty when {@code version} is already the active release
     * @throws IllegalArgumentException when {@code all} has no such version
     */
    public static List<ModelRelease> activate(Map<String, ModelRelease> all, String version, String why) {
        ModelRelease target = require(all, version);
        ModelRelease current = ReleaseLog.active(all.values()).orElse(null);
        List<ModelRelease> records = new ArrayList<>(2);
        if (current != null && current.getVersion().equals(version)) {
            return records;
        }
        if (current != null) {
            records.add(ReleaseLog.withStatus(current, ReleaseStatus.RETIRED, "replaced by " + version + " (" + why + ")"));
        }
        records.add(ReleaseLog.withStatus(target, ReleaseStatus.ACTIVE, why));
        return records;
    }

    /**
     * Retires {@code version} when it is a SHADOW or CANARY release (its cameras go back to the active model).
     *
     * @return the RETIRED record; empty when the release is no longer SHADOW or CANARY (already retired, promoted...)
     */
    public static List<ModelRelease> retireTrial(Map<String, ModelRelease> all, String version, String why) {
        ModelRelease target = require(all, version);
        if (target.getStatus() != ReleaseStatus.SHADOW && target.getStatus() != ReleaseStatus.CANARY) {
            return List.of();
        }
        return List.of(ReleaseLog.withStatus(target, ReleaseStatus.RETIRED, why));
    }

    /**
     * Puts {@code version} on trial: SHADOW (runs beside the active model, serves nobody) or CANARY (serves
     * {@code canaryShare} of the cameras). The active release cannot be put on trial.
     *
     * @param canaryShare for CANARY, in (0, 1]; ignored (and cleared) for SHADOW
     * @throws IllegalArgumentException for another status, a share out of range, the active release or an unknown version
     */
    public static ModelRelease trial(Map<String, ModelRelease> all, String version, ReleaseStatus status,
                                     Double canaryShare, String why) {
        ModelRelease target = require(all, version);
        if (status != ReleaseStatus.SHADOW && status != ReleaseStatus.CANARY) {
            throw new IllegalArgumentException("A trial is SHADOW or CANARY, not " + status);
        }
        if (target.getStatus() == ReleaseStatus.ACTIVE) {
            throw new IllegalArgumentException("Release " + version + " is ACTIVE: it cannot be a " + status);
        }
        if (status == ReleaseStatus.CANARY && (canaryShare == null || !(canaryShare > 0.0 && canaryShare <= 1.0))) {
            throw new IllegalArgumentException("A canary's share of cameras must be in (0, 1], not " + canaryShare);
        }
        return ModelRelease.newBuilder(ReleaseLog.withStatus(target, status, why))
                .setCanaryShare(status == ReleaseStatus.CANARY ? canaryShare : null).build();
    }

    private static ModelRelease require(Map<String, ModelRelease> all, String version) {
        ModelRelease r = all.get(version);
        if (r == null) {
            throw new IllegalArgumentException("No release " + version + " (known: " + all.keySet() + ")");
        }
        return r;
    }
}
