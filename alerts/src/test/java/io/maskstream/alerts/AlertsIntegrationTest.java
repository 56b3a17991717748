package io.maskstream.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Alert;
import io.maskstream.events.AlertKind;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetter;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.MaskState;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.AvroSerializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts service on a real KRaft broker and a real schema registry, with the webhook posting to an HTTP
 * receiver on loopback. Each test uses its own topics, application id and webhook group.
 */
class AlertsIntegrationTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static EmbeddedStack stack;

    @TempDir
    Path tmp;

    final List<AlertsService> services = new ArrayList<>();
    HttpServer receiver;

    @BeforeAll
    static void startStack() {
        stack = SharedTestStack.get();
    }

    @AfterEach
    void stop() {
        services.forEach(AlertsService::close);
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    /** Names of one test's topics. */
    record Names(String classifications, String alerts, String deadLetters, String applicationId) {
        static Names fresh(String what) throws Exception {
            String id = what + "-" + UUID.randomUUID().toString().substring(0, 8);
            Names n = new Names("cls-" + id, "alerts-" + id, "cls-" + id + "-dlq", "alerts-app-" + id);
            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic(n.classifications, 2, (short) 1), new NewTopic(n.alerts, 2, (short) 1),
                        new NewTopic(n.deadLetters, 1, (short) 1))).all().get();
            }
            return n;
        }
    }

    static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
    }

    AlertsService start(Names names, Map<String, String> extra, SimpleMeterRegistry meters) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", stack.bootstrapServers());
        settings.put("schema.registry.url", stack.registryUrl());
        settings.put("topic.classifications", names.classifications());
        settings.put("topic.alerts", names.alerts());
        settings.put(AlertsConfig.APPLICATION_ID, names.applicationId());
        settings.put(AlertsConfig.STATE_DIR, Files.createTempDirectory(tmp, "state").toString());
        settings.putAll(extra);
        AlertsService service = new AlertsService(new AlertsConfig(ConfigSource.of(settings)), meters);
        services.add(service);
        service.start();
        await().atMost(WAIT).until(() -> service.state() == KafkaStreams.State.RUNNING);
        return service;
    }

    /** Sends {@code count} frames of one camera at 30 fps from the given sequence and capture time. */
    static void sendFrames(String topic, String camera, long firstSeq, long firstMillis, int count, MaskState label, float p) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                "schema.registry.url", stack.registryUrl(), ProducerConfig.LINGER_MS_CONFIG, 5);
        AvroSerializer<Classification> values = new AvroSerializer<>();
        values.configure(props, false);
        try (KafkaProducer<String, Classification> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
            for (int i = 0; i < count; i++) {
                long seq = firstSeq + i;
                producer.send(new ProducerRecord<>(topic, camera,
                        Classifications.of(camera, seq, firstMillis + i * 33L, label, p, "v-it")));
            }
            producer.flush();
        }
    }

    /** Waits until the application has committed (and so, under exactly-once, published) everything on {@code topic}. */
    static void awaitProcessed(String applicationId, String topic) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            try (Admin admin = admin()) {
                Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                        .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
                var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                        .all().get();
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get();
                return partitions.stream().allMatch(tp -> ends.get(tp).offset() == 0
                        || (committed.get(tp) != null && committed.get(tp).offset() >= ends.get(tp).offset()));
            }
        });
    }

    /** Every committed record on {@code topic}, read as a read_committed consumer. */
    static <V extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<String, V>> readCommitted(String topic, AvroDeserializer<V> values) {
        values.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions); // the last stable offsets
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    static List<Alert> alertsOn(String topic) {
        return readCommitted(topic, new AvroDeserializer<>(null, Alert.class)).stream().map(ConsumerRecord::value).toList();
    }

    static final String WEBHOOK_SECRET = "it-webhook-secret";

    /** One request the receiver took: its body and signature headers. */
    record Received(String body, String timestamp, String signature) {
    }

    /**
     * A receiver that checks each request as a real one would ({@link WebhookSignature#verify}): 200 and recorded
     * when it verifies, 401 and not recorded otherwise.
     */
    List<Received> startReceiver() throws Exception {
        List<Received> taken = new CopyOnWriteArrayList<>();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/alerts", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String timestamp = ex.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
            String signature = ex.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
            boolean ok = WebhookSignature.verify(WEBHOOK_SECRET, timestamp, signature, body, Instant.now(),
                    WebhookSignature.DEFAULT_TOLERANCE);
            if (ok) {
                taken.add(new Received(new String(body, StandardCharsets.UTF_8), timestamp, signature));
            }
            ex.sendResponseHeaders(ok ? 200 : 401, -1);
            ex.close();
        });
        receiver.start();
        return taken;
    }

    int post(String body, String timestamp, String signature) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts"))
                .header(WebhookSignature.TIMESTAMP_HEADER, timestamp).header(WebhookSignature.SIGNATURE_HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void threeHundredUnmaskedFramesAreOneCommittedAlertThatTheWebhookReceivesAndADeadWebhookStopsNothing() throws Exception {
        Names names = Names.fresh("webhook");
        List<Received> received = startReceiver();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        start(names, Map.of(AlertsConfig.WEBHOOK_URL, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts",
                AlertsConfig.WEBHOOK_GROUP_ID, "webhook-" + names.applicationId(),
                AlertsConfig.WEBHOOK_MAX_ATTEMPTS, "3", AlertsConfig.WEBHOOK_BACKOFF_MS, "50",
                AlertsConfig.WEBHOOK_TIMEOUT_MS, "2000", AlertsConfig.WEBHOOK_SECRET, WEBHOOK_SECRET), meters);
        long t0 = System.currentTimeMillis();

        sendFrames(names.classifications(), "cam-A", 0, t0, 300, MaskState.NONE, 0.95f);
        awaitProcessed(names.applicationId(), names.classifications());

        List<Alert> alerts = alertsOn(names.alerts());
        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.getAlertId()).isEqualTo("cam-A/NO_MASK/0");
            assertThat(a.getKind()).isEqualTo(AlertKind.NO_MASK);
            assertThat(a.getMatchingFrames()).isEqualTo(5);
            assertThat(a.getLastFrameSequence()).isEqualTo(4);
            assertThat(a.getPeakConfidence()).isEqualTo(0.95f);
            assertThat(a.getModelVersion()).isEqualTo("v-it");
        });
        await().atMost(WAIT).until(() -> received.size() == 1);
        Received signed = received.get(0);
        JsonNode json = new ObjectMapper().readTree(signed.body());
        assertThat(json.get("alertId").asText()).isEqualTo("cam-A/NO_MASK/0");
        assertThat(json.get("cameraId").asText()).isEqualTo("cam-A");
        assertThat(json.get("kind").asText()).isEqualTo("NO_MASK");
        await().atMost(WAIT).until(() -> meters.counter(AlertsMetrics.WEBHOOK_DELIVERED).count() == 1.0);
        // The receiver refuses the same request tampered with: another body, or a fresher timestamp on the old
        // signature; and the request itself once it is older than the tolerance (a replay).
        String altered = signed.body().replace("\"cam-A\"", "\"cam-Z\"");
        assertThat(altered).isNotEqualTo(signed.body());
        assertThat(post(altered, signed.timestamp(), signed.signature())).isEqualTo(401);
        assertThat(post(signed.body(), Long.toString(Instant.now().getEpochSecond() + 1), signed.signature())).isEqualTo(401);
        Instant later = Instant.ofEpochSecond(Long.parseLong(signed.timestamp())).plus(WebhookSignature.DEFAULT_TOLERANCE)
                .plusSeconds(1);
        byte[] bytes = signed.body().getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSignature.verify(WEBHOOK_SECRET, signed.timestamp(), signed.signature(), bytes, later,
                WebhookSignature.DEFAULT_TOLERANCE)).as("stale").isFalse();
        assertThat(WebhookSignature.verify(WEBHOOK_SECRET, signed.timestamp(), signed.signature(), bytes,
                later.minusSeconds(2), WebhookSignature.DEFAULT_TOLERANCE)).as("just within the tolerance").isTrue();
        assertThat(received).hasSize(1);
        assertThat(meters.counter(AlertsMetrics.RAISED, "camera", "cam-A", "kind", "NO_MASK").count()).isEqualTo(1.0);

        // The receiver goes away: its port is closed from now on.
        receiver.stop(0);
        receiver = null;
        sendFrames(names.classifications(), "cam-B", 0, t0, 300, MaskState.NONE, 0.95f);
        sendFrames(names.classifications(), "cam-A", 300, t0 + 300 * 33L + 20_000, 50, MaskState.NONE, 0.95f);
        awaitProcessed(names.applicationId(), names.classifications());

        assertThat(alertsOn(names.alerts())).extracting(Alert::getAlertId)
                .containsExactlyInAnyOrder("cam-A/NO_MASK/0", "cam-B/NO_MASK/0", "cam-A/NO_MASK/300");
        await().atMost(WAIT).until(() -> meters.counter(AlertsMetrics.WEBHOOK_FAILED).count() == 2.0);
        assertThat(services.get(0).state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(received).hasSize(1);
    }

    @Test
    void aCamerasStateSurvivesARestartOnAnotherMachineThroughItsChangelog() throws Exception {
        Names names = Names.fresh("restart");
        long t0 = System.currentTimeMillis();
        AlertsService first = start(names, Map.of(), new SimpleMeterRegistry());
        sendFrames(names.classifications(), "cam-R", 0, t0, 3, MaskState.NONE, 0.9f);
        awaitProcessed(names.applicationId(), names.classifications());
        first.close();
        assertThat(alertsOn(names.alerts())).isEmpty();

        // A fresh state directory: the new instance can only know cam-R's 3 frames from the changelog.
        start(names, Map.of(), new SimpleMeterRegistry());
        sendFrames(names.classifications(), "cam-R", 3, t0 + 99, 2, MaskState.NONE, 0.9f);
        awaitProcessed(names.applicationId(), names.classifications());
        assertThat(alertsOn(names.alerts())).singleElement().satisfies(a -> {
            assertThat(a.getFirstFrameSequence()).isEqualTo(0);
            assertThat(a.getLastFrameSequence()).isEqualTo(4);
        });

        // A record the serdes cannot read goes to the dead-letter topic; the open episode holds through it.
        Map<String, Object> raw = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(raw, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(names.classifications(), "cam-R", "{\"json\":1}".getBytes(StandardCharsets.UTF_8)));
        }
        sendFrames(names.classifications(), "cam-R", 5, t0 + 165, 100, MaskState.NONE, 0.9f);
        awaitProcessed(names.applicationId(), names.classifications());
        assertThat(alertsOn(names.alerts())).hasSize(1);
        assertThat(readCommitted(names.deadLetters(), new AvroDeserializer<>(null, DeadLetter.class)))
                .singleElement().satisfies(r -> {
                    assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.NOT_AVRO);
                    assertThat(r.value().getService()).isEqualTo("alerts");
                });
    }
}
