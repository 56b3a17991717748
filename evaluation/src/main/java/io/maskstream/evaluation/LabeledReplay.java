package io.maskstream.evaluation;

import io.maskstream.events.LabeledFrame;
import io.maskstream.runtime.config.ServiceConfig;
import io.maskstream.schemas.Topic;
import io.maskstream.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads a range of a labeled-frames topic, partition by partition in offset order, through a {@link TopicReplay}
 * (its own consumer: assigned partitions, a unique group id, nothing committed): live consumer groups never see it.
 */
public final class LabeledReplay {

    /** One replayed record and where it was. */
    public record Record(int partition, long offset, LabeledFrame frame) {
    }

    private final TopicReplay<String, LabeledFrame> replay;

    public LabeledReplay(ServiceConfig config, String topicName) {
        Topic<String, LabeledFrame> t = new Topics(config).labeledFrames();
        this.replay = new TopicReplay<>(config, new Topic<>(topicName, t.keySerde(), t.valueSerde()));
    }

    /** Partition → [from, to) resolved against the topic now. */
    public Map<Integer, long[]> resolve(TopicRange range) {
        return replay.resolve(range);
    }

    /** Every record of the resolved range, in (partition, offset) order. */
    public List<Record> read(Map<Integer, long[]> resolved) {
        List<Record> out = new ArrayList<>();
        replay.read(resolved, Duration.ofMinutes(5), r -> out.add(new Record(r.partition(), r.offset(), r.value())));
        out.sort(Comparator.comparingInt(Record::partition).thenComparingLong(Record::offset));
        return out;
    }
}
