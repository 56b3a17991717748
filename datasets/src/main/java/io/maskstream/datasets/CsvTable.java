package io.maskstream.datasets;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A CSV file of the competition layout ({@code train/train.csv}, {@code eval/info.csv}) read with Commons CSV: the
 * header's fields, then one row per line after it, trimmed and unquoted, with {@code null} for a blank line so that
 * row {@code i} is line {@code i + 2} in messages. A byte-order mark before the header is ignored.
 */
public record CsvTable(String[] header, List<String[]> rows) {

    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setTrim(true).setIgnoreEmptyLines(false)
            .setIgnoreSurroundingSpaces(true).get();

    /** The table in {@code text}; an empty text has an empty header and no rows. */
    public static CsvTable parse(String text) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<String[]> lines = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(body), FORMAT)) {
            for (CSVRecord r : parser) {
                String[] fields = r.values();
                lines.add(Arrays.stream(fields).allMatch(String::isBlank) ? null : fields);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (lines.isEmpty() || lines.get(0) == null) {
            return new CsvTable(new String[0], lines.isEmpty() ? List.of() : lines.subList(1, lines.size()));
        }
        return new CsvTable(lines.get(0), lines.subList(1, lines.size()));
    }

    /** Whether the header is {@code expected} (comma-separated), ignoring case. */
    public boolean hasHeader(String expected) {
        return String.join(",", header).equalsIgnoreCase(expected);
    }
}
