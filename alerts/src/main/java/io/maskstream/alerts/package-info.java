/**
 * Alert consumers: turn per-frame classifications into one alert per episode of a camera seeing an
 * unmasked (or incorrectly masked) person.
 * <p>
 * Public API: {@link io.maskstream.alerts.AlertsConfig} (the {@code alerts.*} keys),
 * {@link io.maskstream.alerts.AlertsTopology} (the Kafka Streams topology and its properties, testable
 * with {@code TopologyTestDriver}) and {@link io.maskstream.alerts.AlertsService} (topology plus optional
 * webhook). The debounce rule, the per-camera state and the webhook machinery are package-private.
 */
package io.maskstream.alerts;
