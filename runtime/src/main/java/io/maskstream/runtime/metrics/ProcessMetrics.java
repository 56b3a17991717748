package io.maskstream.runtime.metrics;

import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.ServiceConfig;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;

/**
 * Everything a maskstream process needs to be observable, as one service to start first: a Prometheus registry
 * joined to Micrometer's global registry (so every service's meters reach it), the standard JVM and memory
 * meters, and the {@link MetricsServer} on {@code metrics.host:metrics.port}.
 */
public final class ProcessMetrics implements Service {

    private final PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    private final MetricsServer server;
    private Meters meters;

    public ProcessMetrics(ServiceConfig config, BooleanSupplier ready) {
        registry.config().meterFilter(new KafkaClientMeterFilter());
        this.server = new MetricsServer(config, registry, ready);
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public void start() throws Exception {
        Metrics.addRegistry(registry);
        meters = Meters.standard(registry);
        server.start();
    }

    /** The registry the endpoint serves. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The endpoint's base URL, or null when disabled. */
    public String url() {
        return server.enabled() ? server.url() : null;
    }

    @Override
    public void close() {
        server.close();
        if (meters != null) {
            meters.close();
            meters = null;
        }
        Metrics.removeRegistry(registry);
        registry.close();
    }
}
