package io.maskstream.alerts;

import io.maskstream.events.AlertKind;
import io.maskstream.events.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;

/**
 * The alerts service's meters. {@code maskstream.alerts.raised} counts decisions to raise an alert; after a
 * crash under exactly-once a decision whose transaction aborted is taken again, so the counter may exceed
 * the alerts on the topic, which is the record of truth.
 */
final class AlertsMetrics {

    static final String RAISED = "maskstream.alerts.raised";
    static final String UNCERTAIN_FRAMES = "maskstream.alerts.uncertain.frames";
    static final String DEAD_LETTERS = "maskstream.alerts.dead.letters";
    static final String WEBHOOK_DELIVERED = "maskstream.alerts.webhook.delivered";
    static final String WEBHOOK_FAILED = "maskstream.alerts.webhook.failed";
    static final String WEBHOOK_PAUSES = "maskstream.alerts.webhook.pauses";
    static final String WEBHOOK_QUEUE_SIZE = "maskstream.alerts.webhook.queue.size";

    private final MeterRegistry registry;
    private final Counter delivered;
    private final Counter failed;
    private final Counter pauses;

    AlertsMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.delivered = Counter.builder(WEBHOOK_DELIVERED).description("Alerts the webhook accepted (2xx)")
                .register(registry);
        this.failed = Counter.builder(WEBHOOK_FAILED)
                .description("Alerts the webhook did not accept after every attempt (they stay on the alerts topic)")
                .register(registry);
        this.pauses = Counter.builder(WEBHOOK_PAUSES)
                .description("Times the webhook feed stopped reading the alerts topic because the webhook queue was full "
                        + "(backpressure: nothing is dropped)").register(registry);
    }

    void raised(String camera, AlertKind kind) {
        Counter.builder(RAISED).description("Alerts raised").tag("camera", camera).tag("kind", kind.name())
                .register(registry).increment();
    }

    /** A frame (or a tracked face) that would have counted towards an alert of {@code kind} but was too uncertain. */
    void uncertain(String camera, AlertKind kind) {
        Counter.builder(UNCERTAIN_FRAMES).description("Frames (faces, with tracking) that would have counted towards an "
                        + "alert but whose mask spread was above alerts.max.spread").tag("camera", camera)
                .tag("kind", kind.name()).register(registry).increment();
    }

    void deadLetter(DeadLetterReason reason) {
        Counter.builder(DEAD_LETTERS).description("Classification records sent to the dead-letter topic")
                .tag("reason", reason.name()).register(registry).increment();
    }

    void webhookDelivered() {
        delivered.increment();
    }

    void webhookFailed() {
        failed.increment();
    }

    void webhookPaused() {
        pauses.increment();
    }

    /** Registers the queue-size gauge; remove the returned gauge when the queue goes away. */
    Gauge webhookQueue(Collection<?> queue) {
        return Gauge.builder(WEBHOOK_QUEUE_SIZE, queue, Collection::size).description("Alerts waiting for the webhook")
                .strongReference(true).register(registry);
    }

    void remove(Gauge gauge) {
        registry.remove(gauge);
    }
}
