package io.maskstream.app;

import io.maskstream.runtime.Service;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The stack's live one-line status on the terminal: events/s, p99 frame-to-event latency, the model being
 * served, alerts raised and dead letters, refreshed every two seconds from the services' own meters.
 */
final class StatusLine implements Service {

    private final MeterRegistry registry;
    private final PrintStream out;
    private final boolean terminal;
    private ScheduledExecutorService timer;
    private double lastEvents;
    private long lastNanos;

    StatusLine(MeterRegistry registry, PrintStream out) {
        this.registry = registry;
        this.out = out;
        this.terminal = System.console() != null;
    }

    @Override
    public String name() {
        return "status-line";
    }

    @Override
    public void start() {
        lastNanos = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-line");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::print, 2, terminal ? 2 : 10, TimeUnit.SECONDS);
    }

    String render() {
        double events = count("maskstream.processor.events.out");
        long now = System.nanoTime();
        double rate = (events - lastEvents) / Math.max(1e-9, (now - lastNanos) / 1e9);
        lastEvents = events;
        lastNanos = now;
        Timer latency = registry.find("maskstream.processor.latency").timer();
        String p99 = "-";
        if (latency != null) {
            for (ValueAtPercentile v : latency.takeSnapshot().percentileValues()) {
                if (Math.abs(v.percentile() - 0.99) < 1e-9) {
                    p99 = String.format(Locale.ROOT, "%.0f ms", v.value(TimeUnit.MILLISECONDS));
                }
            }
        }
        String model = registry.find("maskstream.processor.model.active").gauges().stream()
                .map(g -> g.getId().getTag("version")).findFirst().orElse("-");
        return String.format(Locale.ROOT, "%6.1f events/s | p99 %s | model %s | alerts %.0f | dead letters %.0f | frames %.0f",
                rate, p99, model, count("maskstream.alerts.raised"), count("maskstream.processor.dead.letters"), events);
    }

    private double count(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private void print() {
        String line = render();
        if (terminal) {
            out.print("\r\u001b[2K" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
            if (terminal) {
                out.println();
            }
        }
    }
}
