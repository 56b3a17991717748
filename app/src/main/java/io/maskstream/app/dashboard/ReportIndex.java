package io.maskstream.app.dashboard;

import io.maskstream.app.dashboard.Snapshot.ReportLink;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The evaluation reports in the report folder, newest first, and the one way to read them over HTTP:
 * {@link #resolve} hands out only regular files of a report type that really lie inside the folder
 * (no {@code ..}, no symbolic link leading out), so the dashboard cannot be made to serve anything else.
 */
final class ReportIndex {

    static final int SHOWN = 20;
    static final int MAX_DEPTH = 3;
    static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "htm", "text/html; charset=utf-8",
            "json", "application/json; charset=utf-8", "csv", "text/csv; charset=utf-8",
            "md", "text/markdown; charset=utf-8", "txt", "text/plain; charset=utf-8",
            "png", "image/png", "svg", "image/svg+xml");

    private final Path dir;

    /** @param dir the report folder; null for none */
    ReportIndex(Path dir) {
        this.dir = dir == null ? null : dir.toAbsolutePath().normalize();
    }

    /** The newest report files (at most {@value #SHOWN}); empty when there is no folder. */
    List<ReportLink> list() {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        List<ReportLink> links = new ArrayList<>();
        try (Stream<Path> files = Files.find(dir, MAX_DEPTH, (p, a) -> a.isRegularFile() && type(p).isPresent())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                String rel = dir.relativize(p).toString().replace('\\', '/');
                links.add(new ReportLink(rel, "/reports/" + encode(rel), a.size(), a.lastModifiedTime().toMillis()));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
        return links.stream().sorted(Comparator.comparingLong(ReportLink::modified).reversed()
                .thenComparing(ReportLink::name)).limit(SHOWN).toList();
    }

    /** The file a {@code /reports/...} path names, if it is a report inside the folder. */
    Optional<Path> resolve(String relative) {
        if (dir == null || relative == null || relative.isEmpty() || relative.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        try {
            Path p = dir.resolve(relative).normalize();
            if (!p.startsWith(dir) || !Files.isRegularFile(p) || type(p).isEmpty()) {
                return Optional.empty();
            }
            Path real = p.toRealPath();
            return real.startsWith(dir.toRealPath()) ? Optional.of(real) : Optional.empty();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** The content type of a report file, by extension. */
    static Optional<String> type(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : Optional.ofNullable(TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    private static String encode(String rel) {
        return Stream.of(rel.split("/")).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }
}
