package io.maskstream.processor;

import io.maskstream.model.BatchClassifier;
import io.maskstream.model.FaceDetector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a processor serves beside the active one, swappable while frames flow: zero or more <em>shadows</em>
 * (they see the same micro-batches; their events go to the shadow topic only) and at most one <em>canary</em> (it
 * serves the cameras {@link Canary#serves} picks; the active model serves the rest).
 *
 * <p>Each trial model lives in a {@link ModelHolder} of its own (a {@link ModelHolder#sibling sibling} of the active
 * one), so a pass over it holds a lease: removing a trial takes effect for the next batch at once and closes the model
 * only after its last pass. A batch reads the serving set once ({@link #snapshot()}), so each batch is inferred by one
 * fixed set of models. Every change of the set is logged with the whole set, and told to {@code onChange} (metrics).
 */
public final class TrialModels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrialModels.class);

    /** The canary's share is resolved to buckets of a camera id's hash: 1 bucket is 0.01 % of the cameras. */
    static final int BUCKETS = 10_000;

    /** A shadow release being served. */
    record Shadow(String version, ModelHolder holder) {
    }

    /**
     * The canary being served and the share of cameras it serves.
     *
     * @param buckets how many of the {@link #BUCKETS} hash buckets it serves: {@code round(share * BUCKETS)}
     */
    record Canary(String version, double share, int buckets, ModelHolder holder) {

        /** Whether the canary classifies this camera's frames: stable for a camera id and a share. */
        boolean serves(String cameraId) {
            return bucket(cameraId) < buckets;
        }
    }

    /** The serving set one batch is inferred with. */
    record Snapshot(List<Shadow> shadows, Canary canary) {
        static final Snapshot EMPTY = new Snapshot(List.of(), null);

        boolean isEmpty() {
            return shadows.isEmpty() && canary == null;
        }

        List<String> shadowVersions() {
            return shadows.stream().map(Shadow::version).toList();
        }
    }

    private final ModelHolder active;
    private final Consumer<Snapshot> onChange;
    private volatile Snapshot current = Snapshot.EMPTY;

    /**
     * @param active   the holder of the active model: trials share its pretrained detector and crop margin, and log
     *                 lines name its version
     * @param onChange told each new serving set (for metrics)
     */
    public TrialModels(ModelHolder active, Consumer<Snapshot> onChange) {
        this.active = active;
        this.onChange = onChange;
    }

    /**
     * The hash bucket of a camera id, in [0, {@value #BUCKETS}): Kafka's murmur2 of its UTF-8 bytes (the hash the
     * default partitioner uses), made positive, modulo {@value #BUCKETS}. A canary at share {@code s} serves the
     * cameras whose bucket is below {@code round(s * 10000)}: the same cameras on every processor instance and after
     * every restart, and raising the share only adds cameras.
     */
    static int bucket(String cameraId) {
        return Utils.toPositive(Utils.murmur2(cameraId.getBytes(StandardCharsets.UTF_8))) % BUCKETS;
    }

    /** The current serving set; a batch reads it once. */
    Snapshot snapshot() {
        return current;
    }

    /** Versions of the shadows being served, in the order they joined. */
    public List<String> shadowVersions() {
        return current.shadowVersions();
    }

    /** The version of the canary being served, or null. */
    public String canaryVersion() {
        Canary c = current.canary();
        return c == null ? null : c.version();
    }

    /** Serves {@code classifier} (with its own {@code detector}, owned, or null) as a shadow from the next batch on. */
    synchronized void addShadow(BatchClassifier classifier, FaceDetector detector) {
        String version = classifier.version();
        List<Shadow> shadows = new ArrayList<>(current.shadows().size() + 1);
        for (Shadow s : current.shadows()) {
            if (s.version().equals(version)) {
                throw new IllegalStateException("shadow " + version + " is already served");
            }
            shadows.add(s);
        }
        shadows.add(new Shadow(version, holderOf(classifier, detector)));
        change(new Snapshot(List.copyOf(shadows), current.canary()), "shadow " + version + " joined");
    }

    /** Stops serving the shadow {@code version} from the next batch on; returns whether it was served. */
    synchronized boolean removeShadow(String version, String why) {
        List<Shadow> kept = new ArrayList<>(current.shadows());
        Shadow gone = kept.stream().filter(s -> s.version().equals(version)).findFirst().orElse(null);
        if (gone == null) {
            return false;
        }
        kept.remove(gone);
        change(new Snapshot(List.copyOf(kept), current.canary()), "shadow " + version + " left (" + why + ")");
        gone.holder().close(); // the model closes after its last running pass
        return true;
    }

    /**
     * Serves {@code classifier} as the canary at {@code share} of the cameras from the next batch on, replacing the
     * canary served so far (one canary at a time).
     */
    synchronized void setCanary(BatchClassifier classifier, FaceDetector detector, double share) {
        Canary old = current.canary();
        Canary next = new Canary(classifier.version(), share, buckets(share), holderOf(classifier, detector));
        change(new Snapshot(current.shadows(), next), "canary " + next.version() + " joined at share " + share
                + (old == null ? "" : ", replacing canary " + old.version()));
        if (old != null) {
            old.holder().close();
        }
    }

    /** Serves the canary {@code version} (already loaded) at a new share; returns whether it is the canary. */
    synchronized boolean reshareCanary(String version, double share) {
        Canary c = current.canary();
        if (c == null || !c.version().equals(version)) {
            return false;
        }
        if (c.share() != share) {
            change(new Snapshot(current.shadows(), new Canary(version, share, buckets(share), c.holder())),
                    "canary " + version + " share " + c.share() + " -> " + share);
        }
        return true;
    }

    /**
     * Stops serving the canary {@code version} from the next batch on: the active model takes its cameras back.
     * Returns whether it was the canary.
     */
    synchronized boolean removeCanary(String version, String why) {
        Canary c = current.canary();
        if (c == null || !c.version().equals(version)) {
            return false;
        }
        change(new Snapshot(current.shadows(), null), "canary " + version + " left (" + why + "); the active model serves "
                + "its cameras again");
        c.holder().close();
        return true;
    }

    static int buckets(double share) {
        return (int) Math.round(share * BUCKETS);
    }

    private ModelHolder holderOf(BatchClassifier classifier, FaceDetector detector) {
        ModelHolder holder = active.sibling(v -> { });
        holder.swap(classifier, detector);
        return holder;
    }

    private void change(Snapshot next, String what) {
        current = next;
        LOG.info("Serving set changed ({}): active {}, canary {}, shadows {}", what, active.currentVersion(),
                next.canary() == null ? "none" : next.canary().version() + " at share " + next.canary().share(),
                next.shadowVersions());
        onChange.accept(next);
    }

    @Override
    public synchronized void close() {
        Snapshot last = current;
        current = Snapshot.EMPTY;
        last.shadows().forEach(s -> s.holder().close());
        if (last.canary() != null) {
            last.canary().holder().close();
        }
    }
}
