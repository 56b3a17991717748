package io.maskstream.runtime;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long job (replays, training epochs) on stderr: done/total, frames/s and ETA. On a terminal a bar
 * redrawn in place at most 4 times a second; otherwise (a log file, CI) one line every 10 seconds and at the end,
 * so logs do not fill up with redraws.
 */
public final class Progress {

    private final String label;
    private final long total;
    private final PrintStream out = System.err;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private final boolean interactive = System.console() != null;
    private final long drawEveryNanos = interactive ? 250_000_000L : 10_000_000_000L;

    private String suffix = "";
    private final String unit;

    public Progress(String label, long total) {
        this(label, total, "frames");
    }

    /**
     * A bar counting {@code unit}s (e.g. "trials"): the rate reads {@code N trials/s}, or {@code N s each} when each
     * takes longer than a second.
     */
    public Progress(String label, long total, String unit) {
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    /** Advances by {@code n} and shows {@code text} after the rate (e.g. running loss and F1). */
    public void step(long n, String text) {
        suffix = text == null ? "" : "  " + text;
        step(n);
    }

    public void step(long n) {
        done += n;
        long now = System.nanoTime();
        if (lastDraw == 0) {
            lastDraw = now; // the first line comes after a full interval, not at the first step
        } else if (now - lastDraw > drawEveryNanos || (interactive && done == total)) {
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
        String speed = rate >= 1 || done == 0 || unit.equals("frames")
                ? String.format(Locale.ROOT, "%.1f %s/s", rate, unit) : String.format(Locale.ROOT, "%.0f s each", 1 / rate);
        String line = String.format(Locale.ROOT, "%-10s [%s%s] %d/%d  %s  ETA %ds%s", label,
                "#".repeat(filled), ".".repeat(width - filled), done, total, speed, Math.round(eta), suffix);
        if (interactive) {
            out.print("\r" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    public void done() {
        draw(System.nanoTime());
        if (interactive) {
            out.println();
        }
    }
}
