package io.maskstream.evaluation.drift;

import io.maskstream.model.LabelCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The last {@code capacity} answers of one model version on one camera (or overall): each answer's class code and
 * top probability (to the percent), in a ring, with the class counts kept up to date. Invariants: {@link #size()}
 * never exceeds the capacity, the class counts always sum to {@link #size()}, and a window holds one model version
 * only (a new version starts a new window, see {@link DriftMonitor}). It also carries the alarm state per
 * statistic (raised or not, for hysteresis) and, for a release without a training profile, the frozen counts of its
 * first full window, the reference then used.
 */
final class DriftWindow {

    private final String version;
    private final byte[] codes;
    private final byte[] percents;
    private final int[] classCounts = new int[LabelCodec.CLASSES];
    private final boolean[] raised = new boolean[2];
    private int head;
    private int size;
    private long frames;
    private int[] firstClassCounts;
    private int[] firstConfidenceCounts;

    DriftWindow(String version, int capacity) {
        if (capacity < 1 || capacity > 10_000_000) {
            throw new IllegalArgumentException("window capacity " + capacity);
        }
        this.version = version;
        this.codes = new byte[capacity];
        this.percents = new byte[capacity];
    }

    String version() {
        return version;
    }

    int capacity() {
        return codes.length;
    }

    int size() {
        return size;
    }

    boolean full() {
        return size == codes.length;
    }

    /** Answers added since the window began (more than {@link #size()} once it slides). */
    long frames() {
        return frames;
    }

    /** Adds an answer, dropping the oldest one when the window is full. */
    void add(int classCode, int percent) {
        if (classCode < 0 || classCode >= LabelCodec.CLASSES || percent < 0 || percent > 100) {
            throw new IllegalArgumentException("class " + classCode + ", probability " + percent + "%");
        }
        if (full()) {
            classCounts[codes[head]]--;
        } else {
            size++;
        }
        codes[head] = (byte) classCode;
        percents[head] = (byte) percent;
        classCounts[classCode]++;
        head = (head + 1) % codes.length;
        frames++;
    }

    /** How many answers in the window have each class code. */
    int[] classCounts() {
        return classCounts.clone();
    }

    /** How many answers in the window have their top probability in each of {@code bins} equal-width bins. */
    int[] confidenceCounts(int bins) {
        int[] counts = new int[bins];
        for (int i = 0; i < size; i++) {
            counts[percentBin(percents[i], bins)]++;
        }
        return counts;
    }

    /** The bin of a probability given to the percent: {@code [i/n, (i+1)/n)}, 100% in the last. */
    static int percentBin(int percent, int bins) {
        return Math.min(bins - 1, percent * bins / 100);
    }

    /** A probability to the percent (rounded down), clamped to [0, 100]. */
    static int percent(double probability) {
        return probability > 0 ? (int) Math.min(100, Math.floor(probability * 100)) : 0;
    }

    boolean raised(int statistic) {
        return raised[statistic];
    }

    void raised(int statistic, boolean value) {
        raised[statistic] = value;
    }

    boolean hasFirstWindow() {
        return firstClassCounts != null;
    }

    /** Freezes the current counts as this window's reference (a release without a training profile). */
    void freezeFirstWindow() {
        firstClassCounts = classCounts();
        firstConfidenceCounts = confidenceCounts(TrainingProfiles.CONFIDENCE_BINS);
    }

    int[] firstClassCounts() {
        return firstClassCounts.clone();
    }

    int[] firstConfidenceCounts() {
        return firstConfidenceCounts.clone();
    }

    private static final byte FORMAT = 1;

    byte[] toBytes() {
        byte[] v = version.getBytes(StandardCharsets.UTF_8);
        boolean first = firstClassCounts != null;
        int refInts = first ? firstClassCounts.length + firstConfidenceCounts.length : 0;
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + v.length + 4 + 2 * codes.length + 4 + 4 + 8 + 2 + 1 + 4 * refInts);
        b.put(FORMAT).putInt(v.length).put(v).putInt(codes.length).put(codes).put(percents).putInt(head).putInt(size)
                .putLong(frames).put((byte) (raised[0] ? 1 : 0)).put((byte) (raised[1] ? 1 : 0)).put((byte) (first ? 1 : 0));
        if (first) {
            for (int c : firstClassCounts) {
                b.putInt(c);
            }
            for (int c : firstConfidenceCounts) {
                b.putInt(c);
            }
        }
        return b.array();
    }

    static DriftWindow fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != FORMAT) {
            throw new IllegalStateException("unknown drift window format");
        }
        byte[] v = new byte[b.getInt()];
        b.get(v);
        DriftWindow w = new DriftWindow(new String(v, StandardCharsets.UTF_8), b.getInt());
        b.get(w.codes);
        b.get(w.percents);
        w.head = b.getInt();
        w.size = b.getInt();
        w.frames = b.getLong();
        w.raised[0] = b.get() == 1;
        w.raised[1] = b.get() == 1;
        int end = w.head;
        for (int i = 0; i < w.size; i++) {
            w.classCounts[w.codes[Math.floorMod(end - 1 - i, w.codes.length)]]++;
        }
        if (b.get() == 1) {
            w.firstClassCounts = new int[LabelCodec.CLASSES];
            for (int i = 0; i < w.firstClassCounts.length; i++) {
                w.firstClassCounts[i] = b.getInt();
            }
            w.firstConfidenceCounts = new int[TrainingProfiles.CONFIDENCE_BINS];
            for (int i = 0; i < w.firstConfidenceCounts.length; i++) {
                w.firstConfidenceCounts[i] = b.getInt();
            }
        }
        return w;
    }

    static Serde<DriftWindow> serde() {
        return Serdes.serdeFrom((topic, w) -> w == null ? null : w.toBytes(),
                (topic, bytes) -> bytes == null ? null : fromBytes(bytes));
    }
}
