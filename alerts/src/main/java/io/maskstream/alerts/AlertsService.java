package io.maskstream.alerts;

import io.maskstream.runtime.Service;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.runtime.streams.SupervisedStreams;
import io.maskstream.schemas.Topics;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.maskstream.runtime.config.ClusterLogin;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the alerts topology and, when a webhook is configured, the webhook feed beside it. The two share
 * nothing but the alerts topic: the webhook only ever sees committed alerts, and however slow it is, the
 * stream does not wait for it. {@link #close()} returns within a bounded time.
 */
public final class AlertsService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(AlertsService.class);
    private static final long CHECK_TIMEOUT_S = 15;

    private final AlertsConfig config;
    private final MeterRegistry registry;
    private final AlertsMetrics metrics;
    private SupervisedStreams streams;
    private WebhookSink sink;
    private WebhookFeed feed;

    public AlertsService(AlertsConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.metrics = new AlertsMetrics(registry);
    }

    @Override
    public String name() {
        return "alerts";
    }

    @Override
    public void start() throws Exception {
        long startMillis = System.currentTimeMillis();
        ClusterLogin.check(config); // wrong credentials: one clear error
        SchemaRegistryClient.shared(config.kafkaProperties(ServiceConfig.ClientKind.PRODUCER))
                .checkReachable(); // with the serdes' credentials and truststore
        Topics topics = new Topics(config);
        String input = topics.classifications().name();
        String output = topics.alerts().name();
        String deadLetters = config.deadLetterTopic(input);
        requireTopics(List.of(input, output, deadLetters));

        streams = new SupervisedStreams("alerts", () -> AlertsTopology.build(config, topics, registry),
                AlertsTopology.streamsProperties(config), config.membership(), null,
                e -> e instanceof MissingSourceTopicException || e.getCause() instanceof MissingSourceTopicException);
        streams.start();
        LOG.info("Alerts {} started: {} -> {} ({} of {} frames at p >= {}, quiet {} ms, incorrect mask {}, {})",
                config.getString(AlertsConfig.APPLICATION_ID), input, output, config.getInt(AlertsConfig.K),
                config.getInt(AlertsConfig.N), config.getDouble(AlertsConfig.THRESHOLD),
                config.getLong(AlertsConfig.QUIET_PERIOD_MS),
                config.getBoolean(AlertsConfig.INCORRECT_ENABLED) ? "on" : "off",
                config.getString(AlertsConfig.PROCESSING_GUARANTEE));

        if (config.webhookUrl().isPresent()) {
            sink = new WebhookSink(WebhookSink.Settings.of(config), metrics);
            sink.start();
            feed = new WebhookFeed(config.kafkaProperties(ServiceConfig.ClientKind.CONSUMER),
                    config.getString(AlertsConfig.WEBHOOK_GROUP_ID), output,
                    topics.alerts().valueSerde().deserializer(), sink, metrics, startMillis);
            feed.start();
        } else {
            LOG.info("No webhook ({} is empty): alerts go to {} only", AlertsConfig.WEBHOOK_URL, output);
        }
    }

    /** Fails start-up with a readable message when a topic the service needs does not exist. */
    private void requireTopics(List<String> names) throws InterruptedException {
        try (Admin admin = Admin.create(config.kafkaProperties(ServiceConfig.ClientKind.ADMIN))) {
            Set<String> existing = new TreeSet<>(admin.listTopics().names().get(CHECK_TIMEOUT_S, TimeUnit.SECONDS));
            List<String> missing = names.stream().filter(n -> !existing.contains(n)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("Topic(s) " + missing + " do not exist on "
                        + config.getList(CommonConfig.BOOTSTRAP_SERVERS) + ": create the maskstream topics first");
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("Topic(s) " + names + " missing: " + e.getCause().getMessage(), e);
            }
            throw new IllegalStateException("Cannot list topics on " + config.getList(CommonConfig.BOOTSTRAP_SERVERS)
                    + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + config.getList(CommonConfig.BOOTSTRAP_SERVERS)
                    + " did not answer within " + CHECK_TIMEOUT_S + " s", e);
        }
    }

    /** State of the Kafka Streams client ({@code NOT_RUNNING} before start and after close). */
    public KafkaStreams.State state() {
        SupervisedStreams s = streams;
        return s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
    }

    @Override
    public void close() {
        if (feed != null) {
            feed.close();
            feed = null;
        }
        if (sink != null) {
            sink.close();
            sink = null;
        }
        if (streams != null) {
            streams.close();
            streams = null;
        }
    }
}
