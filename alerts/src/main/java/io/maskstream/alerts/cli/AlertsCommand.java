package io.maskstream.alerts.cli;

import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.runtime.ServiceRunner;
import io.maskstream.runtime.cli.ConfigOptions;
import io.maskstream.runtime.metrics.ProcessMetrics;
import org.apache.kafka.streams.KafkaStreams;
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
            AlertsService[] service = new AlertsService[1];
            ProcessMetrics metrics = runner.start(new ProcessMetrics(alertsConfig,
                    () -> service[0] != null && service[0].state() == KafkaStreams.State.RUNNING));
            service[0] = runner.start(new AlertsService(alertsConfig, Metrics.globalRegistry));
            if (metrics.url() != null) {
                System.out.println("metrics and health: " + metrics.url() + "/metrics, /health, /ready");
            }
            runner.awaitStop();
        }
        return 0;
    }
}
