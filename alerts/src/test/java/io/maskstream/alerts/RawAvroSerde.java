package io.maskstream.alerts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Plain Avro binary of a generated class, with no schema id: what the driver tests hand the topology instead
 * of the registry serdes. It is not a registry stand-in; the Confluent wire format through the real registry
 * is covered by the schemas module and by {@code AlertsIntegrationTest}.
 */
final class RawAvroSerde {

    private RawAvroSerde() {
    }

    static <T extends SpecificRecord> Serde<T> of(Class<T> type) {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(type);
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                writer.write(value, enc);
                enc.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        }, (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                var dec = DecoderFactory.get().binaryDecoder(data, null);
                T value = reader.read(null, dec);
                if (!dec.isEnd()) {
                    throw new SerializationException("trailing bytes");
                }
                return value;
            } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
                throw new SerializationException("not a " + type.getSimpleName() + ": " + e, e);
            }
        });
    }
}
