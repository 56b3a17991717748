package io.maskstream.schemas.serde;

import io.maskstream.events.DeadLetterReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into the generated class named by the writer's schema, resolving the
 * writer's schema (fetched by id) against the class's schema, so records written with an older or newer
 * compatible schema are read. Failures are {@link RecordDecodeException}s carrying a dead-letter reason.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private SchemaRegistryClient registry;
    private final Class<T> type;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoder = new ThreadLocal<>();

    /** For configuration by class name: the target class comes from the writer schema's full name. */
    public AvroDeserializer() {
        this(null, null);
    }

    /** Reads into {@code type} whatever the writer's record name. */
    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        this.type = type;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SerdeConfig.client(configs);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0) {
            throw new RecordDecodeException(DeadLetterReason.EMPTY_VALUE, "Empty value on topic " + topic, null);
        }
        if (data.length < 5 || data[0] != AvroSerializer.MAGIC) {
            throw new RecordDecodeException(DeadLetterReason.NOT_AVRO, "Not in the Avro wire format on topic " + topic
                    + " (first byte " + (data[0] & 0xff) + ", " + data.length + " bytes; expected magic byte 0 and a schema id)",
                    null);
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader == null) {
            reader = readerFor(topic, id);
            readers.put(id, reader);
        }
        try {
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, decoder.get());
            decoder.set(dec);
            T value = reader.read(null, dec);
            if (!dec.isEnd()) {
                throw new RecordDecodeException(DeadLetterReason.MALFORMED_AVRO, "Trailing bytes after the Avro record"
                        + " (schema id " + id + ") on topic " + topic, null);
            }
            return value;
        } catch (IOException | AvroRuntimeException | ArrayIndexOutOfBoundsException | NegativeArraySizeException
                 | ClassCastException | IllegalArgumentException e) {
            throw new RecordDecodeException(DeadLetterReason.MALFORMED_AVRO, "Malformed Avro data (schema id " + id
                    + ") on topic " + topic + ": " + e, e);
        } catch (OutOfMemoryError e) {
            throw new RecordDecodeException(DeadLetterReason.MALFORMED_AVRO, "Malformed Avro data (schema id " + id
                    + ") on topic " + topic + ": a length field is absurd", null);
        }
    }

    private SpecificDatumReader<T> readerFor(String topic, int id) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                throw new RecordDecodeException(DeadLetterReason.UNKNOWN_SCHEMA, "Schema id " + id + " on topic " + topic
                        + " is unknown to the registry at " + registry.baseUrl(), e);
            }
            throw e; // registry down: not the record's fault, let the caller retry
        }
        Schema readerSchema;
        if (type != null) {
            readerSchema = SpecificData.get().getSchema(type);
        } else {
            Class<?> cls = SpecificData.get().getClass(writer);
            if (cls == null) {
                throw new RecordDecodeException(DeadLetterReason.UNKNOWN_SCHEMA, "No generated class for "
                        + writer.getFullName() + " (schema id " + id + ") on topic " + topic, null);
            }
            readerSchema = SpecificData.get().getSchema(cls);
        }
        if (type != null && !writer.getFullName().equals(readerSchema.getFullName())
                && !readerSchema.getAliases().contains(writer.getFullName())) {
            throw new RecordDecodeException(DeadLetterReason.UNKNOWN_SCHEMA, "Record " + writer.getFullName()
                    + " (schema id " + id + ") on topic " + topic + " is not a " + readerSchema.getFullName(), null);
        }
        return new SpecificDatumReader<>(writer, readerSchema);
    }
}
