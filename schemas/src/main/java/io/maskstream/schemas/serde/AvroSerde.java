package io.maskstream.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/** {@link AvroSerializer} and {@link AvroDeserializer} as one Kafka Streams serde. */
public final class AvroSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {

    public AvroSerde(Class<T> type) {
        super(new AvroSerializer<>(), new AvroDeserializer<>(null, type));
    }

    /** A serde already configured with the registry settings in {@code configs}. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> configs, boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(configs, isKey);
        return serde;
    }
}
