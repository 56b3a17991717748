package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Alert;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.Cameras;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario W: cameras, the processor and alerts, with a webhook that answers nothing for its first 10 s while
 * alerts pile up behind a queue of 2. The feed stops reading the alerts topic while the queue is full and goes on
 * when it drains: every committed alert reaches the webhook, none is dropped or failed.
 */
class WebhookStallIntegrationTest {

    static final long STALL_MS = 10_000;

    @Test
    void aWebhookThatStallsForTenSecondsReceivesEveryAlert(@TempDir Path dir) throws Exception {
        EmbeddedStack stack = SharedTestStack.get();
        Map<String, String> settings = Pipelines.settings(stack.bootstrapServers(), stack.registryUrl(), "sw-stall", dir, 2,
                4); // a model that says NONE to most faces
        settings.put(ProducersConfig.FPS, "10");
        Pipelines.alertOnEveryUnmaskedFrame(settings, "sw-stall-alerts", dir); // dozens while the webhook stalls
        settings.put(AlertsConfig.WEBHOOK_QUEUE_SIZE, "2");
        settings.put(AlertsConfig.WEBHOOK_TIMEOUT_MS, "15000");
        settings.put(AlertsConfig.WEBHOOK_GROUP_ID, "sw-stall-webhook");
        List<String> received = new CopyOnWriteArrayList<>();
        long[] stallUntil = {Long.MAX_VALUE};
        HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/alerts", ex -> {
            long wait = stallUntil[0] - System.currentTimeMillis();
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            received.add(new ObjectMapper().readTree(ex.getRequestBody().readAllBytes()).get("alertId").asText());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        webhook.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        webhook.start();
        settings.put(AlertsConfig.WEBHOOK_URL, "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts");
        Pipelines.createTopics(settings);
        ProducersConfig producersConfig = Pipelines.producersConfig(settings);
        SimpleMeterRegistry alertMeters = new SimpleMeterRegistry();
        List<String> expected = new java.util.ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            for (int s = 0; s < 60; s++) {
                expected.add("cam-" + c + "/" + s);
            }
        }
        try (EventLedger ledger = new EventLedger(stack.bootstrapServers(), stack.registryUrl(),
                Pipelines.classifications(settings), Pipelines.framesDlq(settings));
             AlertReader raisedAlerts = new AlertReader(stack, settings.get(CommonConfig.TOPIC_ALERTS));
             StreamProcessorService processor = new StreamProcessorService(Pipelines.processorConfig(settings),
                new SimpleMeterRegistry());
             AlertsService alerts = new AlertsService(new AlertsConfig(ConfigSource.of(settings)), alertMeters);
             CameraPublisher cameras = new CameraPublisher(producersConfig, new SimpleMeterRegistry(),
                     Cameras.synthetic(producersConfig, 3, 3, "cam-", 60))) {
            processor.start();
            alerts.start();
            stallUntil[0] = System.currentTimeMillis() + STALL_MS;
            cameras.start();
            assertThat(cameras.awaitCompletion(Duration.ofSeconds(120))).isTrue();
            ledger.settle(180, Duration.ofSeconds(60), Duration.ofSeconds(1));
            Thread.sleep(Math.max(0, stallUntil[0] - System.currentTimeMillis()));
            int raisedDuringStall = raisedAlerts.ids().size();
            int receivedDuringStall = received.size();
            long back = System.nanoTime();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!received.containsAll(raisedAlerts.ids()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double drainSeconds = (System.nanoTime() - back) / 1e9;
            List<String> raised = raisedAlerts.ids();
            double pauses = alertMeters.get("maskstream.alerts.webhook.pauses").counter().count();
            double failed = alertMeters.get("maskstream.alerts.webhook.failed").counter().count();
            long lostAlerts = raised.stream().filter(a -> !received.contains(a)).count();
            long repeated = received.size() - received.stream().distinct().count();
            FaultTable.record(new FaultTable.Row("W", "webhook stalls 10 s (queue of 2) while alerts are raised",
                    180, ledger.eventCount(), ledger.deadLetterCount(), ledger.lost(expected).size(),
                    ledger.duplicated().size(), String.format("%d alerts raised during the stall, %d after; webhook "
                            + "received all %d %.1f s after it answered again (%d posted twice, %d never), %.0f failed; "
                            + "the feed paused reading %.0f time(s)", raisedDuringStall, raised.size() - raisedDuringStall,
                            raised.size(), drainSeconds, repeated, lostAlerts, failed, pauses)));

            assertThat(raisedDuringStall).as("alerts were raised during the stall").isGreaterThan(5);
            assertThat(receivedDuringStall).as("nothing answered during the stall").isLessThanOrEqualTo(1);
            assertThat(received).as("every alert reached the webhook").containsAll(raised);
            assertThat(failed).isZero();
            assertThat(ledger.lost(expected)).isEmpty();
            assertThat(pauses).as("the feed paused on a full queue").isPositive();
        } finally {
            webhook.stop(0);
        }
    }

    /** Every committed alert id on the topic, read as it comes (read_committed, from the start). */
    private static final class AlertReader implements AutoCloseable {
        private final List<String> ids = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stop;

        AlertReader(EmbeddedStack stack, String topic) {
            AvroDeserializer<Alert> values = new AvroDeserializer<>(SchemaRegistryClient.shared(stack.registryUrl(), null),
                    Alert.class);
            Map<String, Object> props = Map.of("bootstrap.servers", stack.bootstrapServers(),
                    "isolation.level", "read_committed");
            thread = new Thread(() -> {
                try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                        new org.apache.kafka.common.serialization.StringDeserializer(), values)) {
                    var partitions = consumer.partitionsFor(topic).stream()
                            .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    while (!stop) {
                        consumer.poll(Duration.ofMillis(100)).forEach(r -> ids.add(r.value().getAlertId()));
                    }
                }
            }, "alert-reader");
            thread.setDaemon(true);
            thread.start();
        }

        List<String> ids() {
            return List.copyOf(ids);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5000);
        }
    }
}
