/**
 * The live dashboard: a single page (HTML, CSS and JavaScript shipped in this jar, no CDN, charts drawn on
 * canvas) served by the JDK's HTTP server and fed once a second over server-sent events. Its data comes
 * from Kafka like any other consumer's, so it works against any deployment: it follows
 * {@code classifications}, {@code alerts} and {@code model-releases} (and {@code frames} only when frames
 * are switched on) with its own group-less, {@code read_committed} consumers.
 * {@link io.maskstream.app.dashboard.DashboardService} is the service; {@code DashboardState} is the
 * aggregation, kept free of Kafka and HTTP so it is unit-tested alone.
 */
package io.maskstream.app.dashboard;
