package io.maskstream.producers.cli;

import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.CameraStats;
import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.runtime.metrics.ProcessMetrics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * Runs a publisher until every camera has ended (finite sources, or live ones that gave up) or until Ctrl-C,
 * then prints what each camera did.
 */
final class Runs {

    private Runs() {
    }

    /** @return 0 when every camera ended cleanly and every frame was delivered, 1 otherwise */
    static int run(ServiceConfig config, CameraPublisher publisher, PrintStream out) throws Exception {
        try (ServiceRunner runner = new ServiceRunner()) {
            runner.start(new ProcessMetrics(config, () -> true));
            runner.start(publisher);
            while (!publisher.awaitCompletion(Duration.ofSeconds(1))) {
                // cameras still running; Ctrl-C closes the publisher, which ends them
            }
            runner.stop();
        }
        return report(publisher.stats(), out);
    }

    static int report(List<CameraStats> stats, PrintStream out) {
        boolean ok = true;
        out.printf("%-24s %10s %12s %9s %7s  %s%n", "camera", "published", "acknowledged", "rejected", "failed", "status");
        for (CameraStats s : stats) {
            String status = s.failure() != null ? "FAILED: " + s.failure() : s.finished() ? "ended" : "stopped";
            out.printf("%-24s %10d %12d %9d %7d  %s%n", s.cameraId(), s.published(), s.acknowledged(), s.rejected(),
                    s.failed(), status);
            ok &= s.failure() == null && s.rejected() == 0 && s.failed() == 0 && s.acknowledged() == s.published();
        }
        return ok ? 0 : 1;
    }
}
