package io.maskstream.evaluation;

import io.maskstream.evaluation.metrics.Confusion;
import java.util.Map;

/**
 * What the online evaluation knows of each model version's quality on the stream, at one moment (a copy):
 * its confusion on labeled frames, and for every other version W that answered the same frames, the agreement with W
 * and both versions' confusions on exactly the labeled frames both answered.
 *
 * @param byVersion each version's confusion on every labeled frame it answered
 * @param agreement per ordered pair {@code V\0W}: frames both answered, and frames with the same answer
 * @param paired    per ordered pair {@code V\0W}: V's confusion on the labeled frames W also answered
 */
public record LiveQuality(Map<String, Confusion> byVersion, Map<String, Agreement> agreement,
                          Map<String, Confusion> paired) {

    /** Frames two versions both answered, and on how many their 18-class answers were equal. */
    public record Agreement(long agreed, long frames) {
        Agreement plus(Agreement o) {
            return new Agreement(agreed + o.agreed, frames + o.frames);
        }

        /** Share of frames with the same answer; NaN before any frame. */
        public double share() {
            return frames == 0 ? Double.NaN : (double) agreed / frames;
        }
    }

    /** V compared with W on the same frames. */
    public record Comparison(String version, String other, long agreementFrames, double agreement, Confusion versionOnShared,
                             Confusion otherOnShared) {
        /** Labeled frames both answered. */
        public int labeledFrames() {
            return versionOnShared.total();
        }
    }

    /** V's confusion on every labeled frame it answered (empty when none). */
    public Confusion confusion(String version) {
        Confusion c = byVersion.get(version);
        return c == null ? new Confusion() : c;
    }

    /** V against W on the frames both answered (zero frames and NaN agreement when none). */
    public Comparison compare(String version, String other) {
        Agreement a = agreement.getOrDefault(VersionPairs.pairKey(version, other), new Agreement(0, 0));
        Confusion mine = paired.getOrDefault(VersionPairs.pairKey(version, other), new Confusion());
        Confusion theirs = paired.getOrDefault(VersionPairs.pairKey(other, version), new Confusion());
        return new Comparison(version, other, a.frames(), a.share(), mine, theirs);
    }
}
