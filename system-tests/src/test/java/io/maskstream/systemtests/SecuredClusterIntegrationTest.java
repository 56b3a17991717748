package io.maskstream.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.maskstream.alerts.AlertsConfig;
import io.maskstream.alerts.AlertsService;
import io.maskstream.embedded.BrokerSecurity;
import io.maskstream.embedded.EmbeddedKafka;
import io.maskstream.embedded.SecurityAcls;
import io.maskstream.embedded.SecurityAcls.Principal;
import io.maskstream.embedded.EmbeddedRegistry;
import io.maskstream.events.Classification;
import io.maskstream.model.HeadLayout;
import io.maskstream.model.ModelBundle;
import io.maskstream.processor.ProcessorConfig;
import io.maskstream.processor.StreamProcessorService;
import io.maskstream.producers.CameraPublisher;
import io.maskstream.producers.ProducersConfig;
import io.maskstream.producers.synthetic.Scenario;
import io.maskstream.producers.synthetic.SyntheticCamera;
import io.maskstream.synthetic.SyntheticFaces;
import io.maskstream.synthetic.SyntheticOptions;
import io.maskstream.runtime.config.ClusterConfig;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ConfigException;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a secured broker (SASL_SSL, SCRAM-SHA-512, the standard authorizer denying whatever no ACL allows),
 * each service logged in as its own principal holding only the grants of {@link SecurityAcls}. One broker for the
 * class, and a registry of its own serving HTTPS only with the same CA.
 */
class SecuredClusterIntegrationTest {

    @TempDir
    static Path dir;

    private static EmbeddedKafka kafka;
    private static EmbeddedRegistry registry;
    private static BrokerSecurity security;
    private static final Map<Principal, String> PASSWORDS = new EnumMap<>(Principal.class);
    private static String registryUrl;
    /** The scenario's settings without credentials (topics, application ids, model). */
    private static Map<String, String> settings;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        security = BrokerSecurity.create(dir.resolve("tls"), "127.0.0.1");
        kafka = new EmbeddedKafka("127.0.0.1", 0, dir.resolve("kafka"), Map.of()).withSecurity(security);
        // the registry serves HTTPS only, with the same CA: every client below must be given the truststore
        registry = new EmbeddedRegistry("127.0.0.1", 0, null, dir.resolve("registry.log")).withTls(security);
        Thread registryStart = new Thread(() -> {
            try {
                registry.start();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "registry-start");
        registryStart.start();
        kafka.start();
        registryStart.join();
        assertThat(registry.isRunning()).as("registry started; see registry.log").isTrue();
        registryUrl = registry.url();
        assertThat(registryUrl).startsWith("https://");

        settings = Pipelines.settings(kafka.bootstrapServers(), registryUrl, "secured", dir, 1, 4);
        settings.putAll(security.registrySettings());
        Pipelines.alertOnEveryUnmaskedFrame(settings, "secured-alerts-" + UUID.randomUUID().toString().substring(0, 8), dir);
        try (Admin admin = Admin.create(kafka.superUserProperties())) {
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (Principal p : Principal.values()) {
                String password = UUID.randomUUID().toString();
                PASSWORDS.put(p, password);
                users.add(new UserScramCredentialUpsertion(p.user(),
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password));
            }
            admin.alterUserScramCredentials(List.copyOf(users)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(SecurityAcls.bindings(names())).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, String> asAdmin = new HashMap<>(settings);
        kafka.superUserProperties().forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                asAdmin.put("kafka." + k, v.toString());
            }
        });
        Pipelines.createTopics(asAdmin); // topics are an operator's job, as the super user
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static SecurityAcls.Names names() {
        return new SecurityAcls.Names(settings.get(CommonConfig.TOPIC_FRAMES), settings.get(CommonConfig.TOPIC_LABELED_FRAMES),
                settings.get(CommonConfig.TOPIC_CLASSIFICATIONS), settings.get(CommonConfig.TOPIC_ALERTS),
                settings.get(CommonConfig.TOPIC_MODEL_RELEASES), settings.get(CommonConfig.TOPIC_MODEL_ARTIFACTS), "-dlq",
                settings.get(ProcessorConfig.APPLICATION_ID), settings.get(AlertsConfig.APPLICATION_ID),
                "maskstream-alerts-webhook", "maskstream-trainer");
    }

    /** The scenario's settings plus {@code kafka.*} credentials of {@code principal}. */
    private static Map<String, String> as(Principal principal, String password) {
        Map<String, String> s = new HashMap<>(settings);
        s.putAll(security.serviceSettings(principal.user(), password));
        return s;
    }

    /** Serde settings for the HTTPS registry: its URL and the truststore, as a service's kafka.* keys give them. */
    private static Map<String, Object> registryClientSettings() {
        Map<String, Object> m = new HashMap<>();
        m.put(CommonConfig.SCHEMA_REGISTRY_URL, registryUrl);
        security.registrySettings().forEach((k, v) -> m.put(k.substring("kafka.".length()), v));
        return m;
    }

    private static Map<String, Object> client(Principal principal) {
        Map<String, Object> p = new HashMap<>(security.clientProperties(principal.user(), PASSWORDS.get(principal)));
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    @Test
    void eachServiceRunsAsItsOwnPrincipalWithOnlyItsGrantsUnderExactlyOnce() throws Exception {
        int frames = 12;
        Map<String, String> processorSettings = as(Principal.PROCESSOR, PASSWORDS.get(Principal.PROCESSOR));
        assertThat(processorSettings.get("kafka.security.protocol")).isEqualTo("SASL_SSL");
        try (StreamProcessorService processor = new StreamProcessorService(
                     new ProcessorConfig(ConfigSource.of(processorSettings)), new SimpleMeterRegistry());
             AlertsService alerts = new AlertsService(
                     new AlertsConfig(ConfigSource.of(as(Principal.ALERTS, PASSWORDS.get(Principal.ALERTS)))),
                     new SimpleMeterRegistry())) {
            processor.start();
            alerts.start();
            // the camera as maskstream runs it: CameraPublisher (topic pre-flight, schema registration, idempotent send)
            ProducersConfig cameraConfig = new ProducersConfig(ConfigSource.of(as(Principal.CAMERA, PASSWORDS.get(Principal.CAMERA))));
            SyntheticCamera source = new SyntheticCamera("cam-1", 0, new SyntheticFaces(SyntheticOptions.defaults(3)
                    .withSize(96, 128)), Scenario.unmasked(4, 0.6, 0.1), 10, frames);
            try (CameraPublisher camera = new CameraPublisher(cameraConfig, new SimpleMeterRegistry(), List.of(source))) {
                camera.start();
                assertThat(camera.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(camera.stats().get(0).acknowledged()).isEqualTo(frames);
            }
            // bytes that are no frame: the processor's dead-letter write needs its grant on frames-dlq
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(client(Principal.CAMERA), new StringSerializer(),
                    new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(Pipelines.frames(settings), "cam-1", new byte[] {42, 42})).get(30, TimeUnit.SECONDS);
            }
            // the dashboard principal reads what the exactly-once services committed
            List<Classification> events = readAll(Principal.DASHBOARD, Pipelines.classifications(settings), frames,
                    Duration.ofSeconds(90), Classification.class);
            assertThat(events).hasSize(frames);
            assertThat(events).extracting(Classification::getFrameSequence)
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.range(0, frames).boxed().toList());
            List<io.maskstream.events.Alert> raised = readAll(Principal.DASHBOARD, settings.get(CommonConfig.TOPIC_ALERTS),
                    1, Duration.ofSeconds(60), io.maskstream.events.Alert.class);
            assertThat(raised).as("alerts from unmasked frames").isNotEmpty();
            assertThat(readAll(null, Pipelines.framesDlq(settings), 1, Duration.ofSeconds(30),
                    io.maskstream.events.DeadLetter.class)).hasSize(1);

            // the trainer principal publishes a release (artifact, then ACTIVE record); the processor reads and swaps it
            ModelBundle next = ModelBundle.untrained("fastnet", HeadLayout.MULTI_HEAD, "v-secured-next", 4);
            byte[] bytes = next.toBytes();
            Pipelines.publishActive(new ClusterConfig(ConfigSource.of(as(Principal.TRAINER, PASSWORDS.get(Principal.TRAINER)))),
                    "v-secured-next", bytes, next.sha256());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!"v-secured-next".equals(processor.models().currentVersion()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(processor.models().currentVersion()).isEqualTo("v-secured-next");
            assertThat(processor.restarts()).isZero();
        }
    }

    @Test
    void theCameraPrincipalCannotReadClassificationsNorWriteModelReleases() {
        Map<String, Object> props = client(Principal.CAMERA);
        props.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Pipelines.classifications(settings), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
                    .isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(Pipelines.classifications(settings));
        }
        props = client(Principal.CAMERA);
        props.put("max.block.ms", 10_000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            Throwable t = catchThrowable(() -> producer.send(new ProducerRecord<>(
                    settings.get(CommonConfig.TOPIC_MODEL_RELEASES), "v-evil", new byte[] {1})).get(15, TimeUnit.SECONDS));
            Throwable cause = t instanceof ExecutionException ? t.getCause() : t;
            assertThat(cause).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void theRegistryAnswersOverHttpsOnlyAndOnlyClientsGivenTheTruststore() {
        SchemaRegistryClient.shared(registryClientSettings()).checkReachable();
        assertThatThrownBy(() -> new SchemaRegistryClient(registryUrl, null, Duration.ofSeconds(5)).checkReachable())
                .as("the JVM's default truststore does not know the test CA")
                .isInstanceOf(io.maskstream.schemas.serde.SchemaRegistryException.class);
        assertThatThrownBy(() -> new SchemaRegistryClient(registryUrl.replace("https://", "http://"), null,
                Duration.ofSeconds(5)).checkReachable()).isInstanceOf(io.maskstream.schemas.serde.SchemaRegistryException.class);
    }

    @Test
    void aWrongPasswordStopsStartUpWithOneMessageNamingTheKey() {
        String wrong = "not-the-processor-password";
        ProcessorConfig config = new ProcessorConfig(ConfigSource.of(as(Principal.PROCESSOR, wrong)));
        long start = System.nanoTime();
        Throwable t;
        try (StreamProcessorService processor = new StreamProcessorService(config, new SimpleMeterRegistry())) {
            t = catchThrowable(processor::start);
        }
        org.slf4j.LoggerFactory.getLogger(SecuredClusterIntegrationTest.class).info("Start-up refused: {}", t.getMessage());
        assertThat(t).isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.sasl.jaas.config")
                .hasMessageContaining(kafka.bootstrapServers())
                .hasMessageNotContaining(wrong);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    /** Reads {@code topic} from the start as {@code principal} (null: the super user) until {@code atLeast} records. */
    private static <V extends org.apache.avro.specific.SpecificRecord> List<V> readAll(Principal principal, String topic,
            int atLeast, Duration timeout, Class<V> type) {
        Map<String, Object> props = principal == null ? new HashMap<>(kafka.superUserProperties()) : client(principal);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        AvroDeserializer<V> reader = new AvroDeserializer<>(SchemaRegistryClient.shared(registryClientSettings()), type);
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(reader.deserialize(r.topic(), r.value()));
                }
            }
        }
        return out;
    }
}
