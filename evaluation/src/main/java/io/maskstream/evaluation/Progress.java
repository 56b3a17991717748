package io.maskstream.evaluation;

import java.io.PrintStream;
import java.util.Locale;

/** A progress bar on stderr for long jobs (replays, training epochs): done/total, frames/s and ETA, redrawn at most 4 times a second. */
public final class Progress {

    private final String label;
    private final long total;
    private final PrintStream out = System.err;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;

    private String suffix = "";

    public Progress(String label, long total) {
        this.label = label;
        this.total = total;
    }

    /** Advances by {@code n} and shows {@code text} after the rate (e.g. running loss and F1). */
    public void step(long n, String text) {
        suffix = text == null ? "" : "  " + text;
        step(n);
    }

    public void step(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastDraw > 250_000_000L || done == total) {
            lastDraw = now;
            draw(now);
        }
    }

    private void draw(long now) {
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(1e-9, seconds);
        double eta = total > done ? (total - done) / Math.max(1e-9, rate) : 0;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / (double) total);
        out.print(String.format(Locale.ROOT, "\r%-10s [%s%s] %d/%d  %.1f frames/s  ETA %ds%s", label,
                "#".repeat(filled), ".".repeat(width - filled), done, total, rate, Math.round(eta), suffix));
        out.flush();
    }

    public void done() {
        draw(System.nanoTime());
        out.println();
    }
}
