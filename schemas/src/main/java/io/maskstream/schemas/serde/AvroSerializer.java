package io.maskstream.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a generated Avro record in the Confluent wire format: byte 0, the 4-byte big-endian id of its
 * schema in the registry (subject {@code <topic>-value} or {@code <topic>-key}), then Avro binary.
 * With {@code auto.register.schemas=false} the schema must already be registered.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static final byte MAGIC = 0;

    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;
    private final ThreadLocal<BinaryEncoder> encoder = new ThreadLocal<>();

    public AvroSerializer() {
    }

    /** A serializer already configured (for Streams serdes built in code). */
    public AvroSerializer(SchemaRegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SerdeConfig.client(configs);
        this.isKey = isKey;
        this.autoRegister = SerdeConfig.flag(configs, SerdeConfig.AUTO_REGISTER, true);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        String subject = topic + (isKey ? "-key" : "-value");
        int id;
        try {
            id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema).orElseThrow(
                    () -> new SerializationException("Schema of " + schema.getFullName() + " is not registered under "
                            + subject + " and auto.register.schemas=false"));
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic " + topic + ": "
                    + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(MAGIC);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, encoder.get());
            encoder.set(enc);
            new SpecificDatumWriter<T>(schema).write(record, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic " + topic + ": " + e, e);
        }
    }
}
