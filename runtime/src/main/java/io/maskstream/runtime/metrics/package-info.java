/**
 * How a service is observed from outside: {@link io.maskstream.runtime.metrics.MetricsServer} serves
 * {@code /metrics} (Prometheus text format), {@code /health} (liveness) and {@code /ready} (readiness) over
 * the JDK's HTTP server, bound to loopback unless told otherwise; {@link io.maskstream.runtime.metrics.Meters}
 * binds the meters every service shares (JVM memory, GC, threads, classes, CPU, resident and native memory).
 * The services themselves register their own {@code maskstream.*} meters on the same registry.
 */
package io.maskstream.runtime.metrics;
