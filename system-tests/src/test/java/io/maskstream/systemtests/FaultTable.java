package io.maskstream.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of every fault scenario, as a Markdown table the README takes as it is. Each scenario replaces its
 * own row (keyed by its number), so re-running one scenario keeps the others' figures.
 */
final class FaultTable {

    static final String HEADER = "| # | scenario | frames sent | events | dead letters | lost | duplicated | notes |\n"
            + "|---|---|---:|---:|---:|---:|---:|---|\n";

    /**
     * One scenario's figures. {@code lost}: frames accepted (or refused by the producer) with neither an event nor
     * a dead letter; {@code duplicated}: frames with more than one.
     */
    record Row(String id, String scenario, long framesSent, long events, long deadLetters, long lost, long duplicated,
               String notes) {

        String markdown() {
            return "| " + id + " | " + scenario + " | " + framesSent + " | " + events + " | " + deadLetters + " | " + lost
                    + " | " + duplicated + " | " + notes.replace("|", "/") + " |";
        }
    }

    private FaultTable() {
    }

    static Path file() {
        return Path.of(System.getProperty("maskstream.fault.table", "target/fault-table.md"));
    }

    /** Adds or replaces the row of {@code row.id()}. */
    static synchronized void record(Row row) {
        Path file = file();
        Map<String, String> rows = new TreeMap<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] cells = line.split("\\|");
                    if (cells.length > 2 && !cells[1].isBlank() && !cells[1].contains("#") && !cells[1].contains("---")) {
                        rows.put(cells[1].trim(), line);
                    }
                }
            }
            rows.put(row.id(), row.markdown());
            List<String> out = new ArrayList<>();
            out.add(HEADER.stripTrailing());
            out.addAll(rows.values());
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("fault table: " + row.markdown());
    }
}
