package io.maskstream.runtime.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Arrays;

/**
 * Keeps the Kafka client metrics (bound by Micrometer's Kafka binders: consumer lag, fetch and commit rates,
 * transaction times…) whose names Prometheus accepts, and drops those its conventions reject: names with
 * abbreviated units ({@code time.ns}, {@code start.time.ms}), gauges ending in {@code count}, and meters
 * without a description. {@code promtool check metrics} then passes on what every service serves.
 */
final class KafkaClientMeterFilter implements MeterFilter {

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        String name = id.getName();
        if (!name.startsWith("kafka.")) {
            return MeterFilterReply.NEUTRAL;
        }
        String[] parts = name.split("\\.");
        boolean abbreviatedUnit = Arrays.stream(parts).anyMatch(p -> p.equals("ns") || p.equals("ms"));
        boolean countGauge = parts[parts.length - 1].equals("count") && id.getType() != Meter.Type.COUNTER;
        boolean noHelp = id.getDescription() == null || id.getDescription().isBlank();
        return abbreviatedUnit || countGauge || noHelp ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }
}
