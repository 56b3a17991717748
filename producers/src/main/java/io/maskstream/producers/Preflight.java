package io.maskstream.producers;

import io.maskstream.datasets.Capture;
import io.maskstream.datasets.FrameLabel;
import io.maskstream.datasets.ImageCodec;
import io.maskstream.events.Gender;
import io.maskstream.events.MaskState;
import io.maskstream.runtime.config.CommonConfig;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topics;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the publisher checks before any camera runs: that its target topics exist (and whether their record limits
 * and dead-letter topics fit), and that the schema registry takes their value schemas. Either the start fails here
 * with a message that says what to fix, or every frame a camera later sends has a topic and a registered schema.
 */
final class Preflight {

    // the publisher's logger: operators configure and filter the producers' lines under that one name
    private static final Logger LOG = LoggerFactory.getLogger(CameraPublisher.class);

    private final ProducersConfig config;
    private final Set<String> targets;
    private final String labeledTopic;
    private final int maxFrameBytes;

    Preflight(ProducersConfig config, Topics topics, Set<String> targets) {
        this.config = config;
        this.targets = targets;
        this.labeledTopic = topics.labeledFrames().name();
        this.maxFrameBytes = topics.maxFrameBytes();
    }

    /**
     * Target topic -> its dead-letter topic: those that exist when {@link ProducersConfig#CHECK_TOPICS} is on
     * (after checking the targets themselves), every target's configured one when it is off.
     */
    Map<String, String> deadLetterTopics() throws InterruptedException {
        Map<String, String> deadLetterTopics = new HashMap<>();
        if (config.getBoolean(ProducersConfig.CHECK_TOPICS)) {
            checkTopics(deadLetterTopics);
        } else {
            targets.forEach(t -> deadLetterTopics.put(t, config.deadLetterTopic(t)));
        }
        return deadLetterTopics;
    }

    /**
     * Fails clearly when a target topic is missing; warns when its record limit is below ours, or when its
     * dead-letter topic is missing (frames refused for their size are then only logged and counted).
     */
    private void checkTopics(Map<String, String> deadLetterTopics) throws InterruptedException {
        try (Admin admin = Admin.create(config.kafkaProperties(ServiceConfig.ClientKind.ADMIN))) {
            try {
                admin.describeTopics(targets).allTopicNames().get(30, TimeUnit.SECONDS);
                Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                for (String t : targets) {
                    String deadLetters = config.deadLetterTopic(t);
                    if (existing.contains(deadLetters)) {
                        deadLetterTopics.put(t, deadLetters);
                    } else {
                        LOG.warn("Dead-letter topic {} does not exist: frames for {} refused for their size will only be "
                                + "logged and counted (create it with `maskstream topics create`)", deadLetters, t);
                    }
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new IllegalStateException("A target topic of " + targets + " does not exist; create the "
                            + "topics with `maskstream topics create` (the broker does not create them itself)", e.getCause());
                }
                throw new IllegalStateException("Cannot check topics " + targets + ": " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka at " + config.getList(CommonConfig.BOOTSTRAP_SERVERS)
                        + " did not answer within 30 s while checking topics " + targets, e);
            }
            List<ConfigResource> resources = targets.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            configs.forEach((resource, c) -> {
                ConfigEntry e = c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (e != null && e.value() != null && Long.parseLong(e.value()) < maxFrameBytes) {
                    LOG.warn("Topic {} accepts records up to {} bytes but {} is {}: the broker will refuse frames in "
                                    + "between (each counted as rejected)", resource.name(), e.value(),
                            CommonConfig.TOPIC_FRAMES_MAX_BYTES, maxFrameBytes);
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Could not read the record limits of {}: {}", targets, e.toString());
        }
    }

    /**
     * Serializes one probe record per target topic before any camera runs: the value schema is registered (or
     * looked up) once, from one thread, so cameras starting together never race to register the same new subject,
     * and an unreachable registry stops the start instead of failing every frame.
     */
    void registerSchemas(FrameSender sender, Map<String, String> deadLetterTopics) {
        Capture probe = Capture.of(new byte[0], ImageCodec.JPEG, 0, 0, Instant.EPOCH, "schema probe");
        for (String topic : targets) {
            try {
                if (topic.equals(labeledTopic)) {
                    FrameLabel label = new FrameLabel("probe", Gender.FEMALE, 0, null, MaskState.NONE, "probe");
                    sender.frameValue(topic, "probe", 0, new Capture(probe.image(), probe.contentType(), 0, 0,
                            probe.captureTime(), probe.source(), label));
                } else {
                    sender.frameValue(topic, "probe", 0, probe);
                }
                String deadLetters = deadLetterTopics.get(topic);
                if (deadLetters != null) {
                    sender.deadLetterValue(deadLetters,
                            FrameSender.tooLarge(topic, "probe", "probe", 0, probe, "probe"));
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("Cannot register the value schema of topic " + topic + " at "
                        + config.getString(CommonConfig.SCHEMA_REGISTRY_URL) + ": " + e.getMessage(), e);
            }
        }
    }
}
