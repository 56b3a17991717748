package io.maskstream.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How an ensemble turns its members' predictions of one image into one prediction ({@link EnsembleClassifier}).
 *
 * <ul>
 *   <li>{@link #SOFT}: the mean of the members' distributions. When every member is {@link HeadLayout#MULTI_HEAD} the
 *       three head distributions are averaged and the classes are their product (the ensemble is multi-head too);
 *       otherwise the 18-class distributions are averaged and the heads are its marginals.</li>
 *   <li>{@link #HARD}: the majority of the members' 18-class answers, ties broken by the soft mean of the 18-class
 *       distributions. The classes carry the vote share: {@code (votes + ½·soft) / (members + ½)}, which sums to 1, whose
 *       argmax is the majority (½·soft adds less than one vote) and, among tied classes, the one the soft mean prefers;
 *       the heads are its marginals.</li>
 * </ul>
 */
public enum EnsembleVote {
    SOFT,
    HARD;

    /** The name as written in bundles, releases and the command line: {@code soft} or {@code hard}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The vote named {@code text} ({@code soft} or {@code hard}, any case).
     *
     * @throws IllegalArgumentException naming the known votes otherwise
     */
    public static EnsembleVote parse(String text) {
        for (EnsembleVote v : values()) {
            if (v.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown ensemble vote \"" + text + "\"; known: "
                + Arrays.stream(values()).map(EnsembleVote::label).toList());
    }
}
