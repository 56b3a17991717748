package io.maskstream.evaluation;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A range of a recorded topic over all its partitions: per partition from an offset (inclusive) to an offset
 * (exclusive). Given as offsets ({@code 0}, or {@code 0:120,1:98} per partition) or capture-log timestamps;
 * an open end is the topic's end when the replay starts, so a replay never runs "from now" or forever.
 */
public record TopicRange(String topic, Map<Integer, Long> fromOffsets, Long defaultFrom, Map<Integer, Long> toOffsets,
                         Long defaultTo, Instant fromTime, Instant toTime) {

    /** The whole topic as it is when the replay starts. */
    public static TopicRange all(String topic) {
        return new TopicRange(topic, Map.of(), null, Map.of(), null, null, null);
    }

    /** Parses {@code 42} (every partition) or {@code 0:42,1:17} (per partition); null or blank is open. */
    static Map<Integer, Long> perPartition(String spec) {
        Map<Integer, Long> map = new TreeMap<>();
        if (spec == null || spec.isBlank() || !spec.contains(":")) {
            return map;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) {
                throw new IllegalArgumentException("Offset '" + part + "' is not partition:offset");
            }
            map.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
        }
        return map;
    }

    static Long single(String spec) {
        return spec == null || spec.isBlank() || spec.contains(":") ? null : Long.parseLong(spec.trim());
    }

    public static TopicRange parse(String topic, String from, String to, Instant fromTime, Instant toTime) {
        return new TopicRange(topic, perPartition(from), single(from), perPartition(to), single(to), fromTime, toTime);
    }

    /** A stable description for reports, e.g. {@code labeled-frames [0:0-1200, 1:0-1175]}. */
    public String describe(Map<Integer, long[]> resolved) {
        StringBuilder sb = new StringBuilder(topic).append(" [");
        resolved.forEach((p, r) -> sb.append(sb.charAt(sb.length() - 1) == '[' ? "" : ", ").append(p).append(':')
                .append(r[0]).append('-').append(r[1]));
        return sb.append(']').toString();
    }
}
