package io.maskstream.evaluation;

import io.maskstream.events.ModelRelease;
import io.maskstream.model.InvalidModelException;
import io.maskstream.model.ModelBundle;
import io.maskstream.releases.ArtifactStore;
import io.maskstream.releases.ReleaseLog;
import io.maskstream.runtime.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Finds a model bundle: a file, a released version, or the active release. */
public final class ModelSource {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private ModelSource() {
    }

    /**
     * The bundle for {@code spec}: a path to a bundle file if such a file exists, else a released version, and
     * {@code "active"} (or null) for the active release.
     */
    public static ModelBundle resolve(ServiceConfig config, String spec) throws InvalidModelException {
        if (spec != null && !spec.isBlank() && !spec.equals("active") && Path.of(spec).toFile().isFile()) {
            return ModelBundle.read(Path.of(spec));
        }
        Map<String, ModelRelease> releases = new ReleaseLog(config).readAll(TIMEOUT);
        ModelRelease release;
        if (spec == null || spec.isBlank() || spec.equals("active")) {
            release = ReleaseLog.active(releases.values()).orElseThrow(() -> new IllegalArgumentException(
                    "There is no active model release; name a version or a bundle file"));
        } else {
            release = releases.get(spec);
            if (release == null) {
                throw new IllegalArgumentException("No model release '" + spec + "' (known: " + releases.keySet()
                        + ") and no bundle file of that name");
            }
        }
        ModelBundle bundle;
        try {
            bundle = ModelBundle.read(new ArtifactStore(config).fetch(release, TIMEOUT));
        } catch (io.maskstream.releases.ArtifactUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (!bundle.metadata().version().equals(release.getVersion())) {
            throw new InvalidModelException(InvalidModelException.Reason.BAD_METADATA, "Release " + release.getVersion()
                    + " carries a bundle of version " + bundle.metadata().version());
        }
        return bundle;
    }
}
