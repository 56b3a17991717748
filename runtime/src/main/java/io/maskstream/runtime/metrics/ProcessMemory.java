package io.maskstream.runtime.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the kernel's view of this process's memory from {@code /proc/self/status}: what the JVM's own
 * meters cannot see (libtorch's allocations through DJL, malloc arenas, thread stacks, mapped libraries).
 * Every value is NaN where the file does not exist (not Linux) or lacks the field, never an exception.
 */
final class ProcessMemory {

    static final Path STATUS = Path.of("/proc/self/status");

    private final Path status;

    ProcessMemory(Path status) {
        this.status = status;
    }

    /** Resident set size (VmRSS) in bytes, or NaN. */
    double residentBytes() {
        return field("VmRSS:");
    }

    /** Resident anonymous memory (RssAnon: heap, malloc, stacks; no file mappings) in bytes, or NaN. */
    double residentAnonymousBytes() {
        return field("RssAnon:");
    }

    private double field(String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(status, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return parse(lines, name);
    }

    /** The value of a {@code Name:   1234 kB} line in bytes, or NaN when absent or unreadable. */
    static double parse(List<String> lines, String name) {
        for (String line : lines) {
            if (line.startsWith(name)) {
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                try {
                    long value = Long.parseLong(parts[0]);
                    long unit = parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? 1024L : 1L;
                    return (double) value * unit;
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
    }
}
