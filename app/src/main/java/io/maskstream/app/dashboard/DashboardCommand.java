package io.maskstream.app.dashboard;

import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.metrics.Meters;
import io.maskstream.runtime.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code maskstream dashboard}: the live dashboard against any cluster, until Ctrl-C. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Serve the live dashboard (cameras, alerts, throughput, latency, models, reports) for the "
                + "configured cluster; runs until Ctrl-C.")
public final class DashboardCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        DashboardConfig dashboardConfig = new DashboardConfig(config.source());
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        Meters meters = Meters.standard(registry);
        try (ServiceRunner runner = new ServiceRunner()) {
            DashboardService dashboard = new DashboardService(dashboardConfig, registry);
            runner.start(new MetricsServer(dashboardConfig, registry, dashboard::serving));
            runner.start(dashboard);
            System.out.println("maskstream dashboard: " + dashboard.url() + "  (Ctrl-C stops it)");
            runner.awaitStop();
        } finally {
            meters.close();
            registry.close();
        }
        return 0;
    }
}
