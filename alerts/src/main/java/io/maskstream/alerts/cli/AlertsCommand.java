package io.maskstream.alerts.cli;

import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.cli.ConfigOptions;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code maskstream alerts}: runs one alerts instance until Ctrl-C. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "Raise alerts: classifications -> K-of-N debounce per camera -> alerts (+ optional webhook); "
                + "runs until Ctrl-C.")
public final class AlertsCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws Exception {
        AlertsConfig alertsConfig = new AlertsConfig(config.source());
        try (ServiceRunner runner = new ServiceRunner()) {
            runner.start(new AlertsService(alertsConfig, Metrics.globalRegistry));
            runner.awaitStop();
        }
        return 0;
    }
}
