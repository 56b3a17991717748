package io.maskstream.app.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.app.dashboard.Snapshot.ReportLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportIndexTest {

    @TempDir
    Path dir;

    @Test
    void listsReportFilesNewestFirstWithServedLinks() throws Exception {
        Path old = Files.writeString(Files.createDirectories(dir.resolve("2025-02-01")).resolve("report.html"), "<h1>old</h1>");
        Path fresh = Files.writeString(Files.createDirectories(dir.resolve("2025-03-01 run")).resolve("report.html"), "<h1>new</h1>");
        Files.writeString(dir.resolve("notes.bin"), "not a report");
        Files.setLastModifiedTime(old, FileTime.from(Instant.parse("2025-02-01T00:00:00Z")));
        Files.setLastModifiedTime(fresh, FileTime.from(Instant.parse("2025-03-01T00:00:00Z")));

        List<ReportLink> links = new ReportIndex(dir).list();
        assertThat(links).extracting(ReportLink::name).containsExactly("2025-03-01 run/report.html", "2025-02-01/report.html");
        assertThat(links.get(0).href()).isEqualTo("/reports/2025-03-01%20run/report.html");
        assertThat(links.get(0).bytes()).isEqualTo(12);
    }

    @Test
    void resolvesOnlyReportFilesInsideTheFolder() throws Exception {
        Files.writeString(dir.resolve("metrics.json"), "{}");
        Files.writeString(dir.resolve("secret.key"), "k");
        Path outside = Files.writeString(dir.getParent().resolve("outside-" + dir.getFileName() + ".html"), "x");
        try {
            Files.createSymbolicLink(dir.resolve("link.html"), outside);
            ReportIndex index = new ReportIndex(dir);
            assertThat(index.resolve("metrics.json")).isPresent();
            assertThat(index.resolve("secret.key")).isEmpty();
            assertThat(index.resolve("../" + outside.getFileName())).isEmpty();
            assertThat(index.resolve("link.html")).as("symbolic link leading out").isEmpty();
            assertThat(index.resolve("")).isEmpty();
            assertThat(index.resolve("nope.html")).isEmpty();
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void noFolderMeansNoLinks() {
        assertThat(new ReportIndex(null).list()).isEmpty();
        assertThat(new ReportIndex(null).resolve("x.html")).isEmpty();
        assertThat(new ReportIndex(dir.resolve("missing")).list()).isEmpty();
    }
}
