package io.maskstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskstream.runtime.config.ClusterConfig;
import io.maskstream.runtime.config.ConfigSource;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The topics maskstream creates and how long they keep what they hold. */
class TopicsTest {

    static long retention(Map<String, String> settings, String topic) {
        return new Topics(new ClusterConfig(ConfigSource.of(settings))).newTopics().stream()
                .filter(t -> t.name().equals(topic)).findFirst().map(NewTopic::configs)
                .map(c -> Long.parseLong(c.get(TopicConfig.RETENTION_MS_CONFIG))).orElseThrow();
    }

    @Test
    void deadLetteredFramesHoldFacesNoLongerThanTheFramesTopicByDefault() {
        long frames = retention(Map.of(), "frames");
        assertThat(frames).isEqualTo(24L * 3600 * 1000);
        assertThat(retention(Map.of(), "frames-dlq")).isLessThanOrEqualTo(frames);
    }

    @Test
    void bothRetentionsAreSettings() {
        Map<String, String> s = Map.of("topic.frames.retention.ms", "7200000", "topic.frames.dlq.retention.ms", "3600000");
        assertThat(retention(s, "frames")).isEqualTo(7_200_000L);
        assertThat(retention(s, "frames-dlq")).isEqualTo(3_600_000L);
        assertThat(retention(s, "classifications-dlq")).as("no images there").isEqualTo(30L * 24 * 3600 * 1000);
    }
}
