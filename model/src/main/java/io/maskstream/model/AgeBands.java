package io.maskstream.model;

/**
 * Where the age bands start, in whole years: {@code age < middleFrom} is {@link AgeLabel#UNDER_30},
 * {@code age < oldFrom} is {@link AgeLabel#FROM_30_TO_59}, otherwise {@link AgeLabel#FROM_60}.
 *
 * <p>The competition's bands are (30, 60). Training may shift the upper boundary, e.g. (30, 57): the
 * data set has few people over 60, and counting 57–59 as old was found to help the ≥60 class. The band
 * names stay those of the competition; only the labelling of training data moves.
 */
public record AgeBands(int middleFrom, int oldFrom) {

    /** The competition's bands: under 30, 30 to 59, 60 and over. */
    public static final AgeBands COMPETITION = new AgeBands(30, 60);

    /** Validates the boundaries. */
    public AgeBands {
        if (middleFrom < 1 || oldFrom <= middleFrom || oldFrom > 150) {
            throw new IllegalArgumentException("age bands need 1 <= middleFrom < oldFrom <= 150 (years), got middleFrom="
                    + middleFrom + ", oldFrom=" + oldFrom);
        }
    }

    /** The band of an age in years. */
    public AgeLabel band(int ageYears) {
        if (ageYears < 0) {
            throw new IllegalArgumentException("age must not be negative, got " + ageYears);
        }
        if (ageYears < middleFrom) {
            return AgeLabel.UNDER_30;
        }
        return ageYears < oldFrom ? AgeLabel.FROM_30_TO_59 : AgeLabel.FROM_60;
    }

    /**
     * Parses {@code "middleFrom,oldFrom"}, e.g. {@code "30,60"} or {@code "30, 57"}.
     *
     * @throws IllegalArgumentException saying what was wrong and what is expected
     */
    public static AgeBands parse(String text) {
        String expected = "age bands must be two whole numbers of years \"middleFrom,oldFrom\" such as \"30,60\"";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(expected + ", got nothing");
        }
        String[] parts = text.split(",", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException(expected + ", got \"" + text + "\"");
        }
        int middle;
        int old;
        try {
            middle = Integer.parseInt(parts[0].trim());
            old = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected + ", got \"" + text + "\"", e);
        }
        try {
            return new AgeBands(middle, old);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid age bands \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /** The text form {@link #parse} reads, e.g. {@code "30,60"}. */
    public String text() {
        return middleFrom + "," + oldFrom;
    }
}
