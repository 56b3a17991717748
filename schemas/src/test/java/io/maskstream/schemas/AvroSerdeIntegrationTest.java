package io.maskstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.embedded.EmbeddedStack;
import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Classification;
import io.maskstream.events.DeadLetterReason;
import io.maskstream.events.Frame;
import io.maskstream.schemas.serde.AvroDeserializer;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.schemas.serde.RecordDecodeException;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AvroSerdeIntegrationTest {

    static EmbeddedStack stack;
    static Map<String, Object> conf;

    @BeforeAll
    static void start() {
        stack = SharedTestStack.get();
        conf = Map.of("schema.registry.url", stack.registryUrl());
    }

    @Test
    void roundTripThroughTheRealRegistryInConfluentWireFormat() {
        try (AvroSerializer<Classification> ser = new AvroSerializer<>();
             AvroDeserializer<Classification> de = new AvroDeserializer<>()) {
            ser.configure(conf, false);
            de.configure(conf, false);
            Classification c = Events.classification("cam-1", 42);
            byte[] bytes = ser.serialize("serde-roundtrip", c);

            assertThat(bytes[0]).isEqualTo((byte) 0);
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            SchemaRegistryClient registry = new SchemaRegistryClient(stack.registryUrl(), null, java.time.Duration.ofSeconds(5));
            assertThat(registry.schemaById(id)).isEqualTo(Classification.getClassSchema());
            assertThat(registry.lookup("serde-roundtrip-value", Classification.getClassSchema())).contains(id);

            assertThat(de.deserialize("serde-roundtrip", bytes)).isEqualTo(c);
        }
    }

    @Test
    void configuredByClassNameLikeAnyKafkaSerializer() throws Exception {
        @SuppressWarnings("unchecked")
        org.apache.kafka.common.serialization.Serializer<Frame> ser = (org.apache.kafka.common.serialization.Serializer<Frame>)
                Class.forName("io.maskstream.schemas.serde.AvroSerializer").getDeclaredConstructor().newInstance();
        ser.configure(conf, false);
        AvroDeserializer<Frame> de = new AvroDeserializer<>();
        de.configure(conf, false);
        Frame f = Events.frame("cam-2", 7);
        assertThat(de.deserialize("serde-by-name", ser.serialize("serde-by-name", f))).isEqualTo(f);
    }

    @Test
    void badBytesAreDecodeErrorsWithADeadLetterReason() {
        AvroDeserializer<Frame> de = new AvroDeserializer<>();
        de.configure(conf, false);
        assertThatThrownBy(() -> de.deserialize("t", new byte[0]))
                .isInstanceOfSatisfying(RecordDecodeException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.EMPTY_VALUE));
        assertThatThrownBy(() -> de.deserialize("t", "{\"json\":true}".getBytes()))
                .isInstanceOfSatisfying(RecordDecodeException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_AVRO));
        assertThatThrownBy(() -> de.deserialize("t", new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3}))
                .isInstanceOfSatisfying(RecordDecodeException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA));

        AvroSerializer<Frame> ser = new AvroSerializer<>();
        ser.configure(conf, false);
        byte[] good = ser.serialize("serde-bad", Events.frame("c", 1));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 9);
        assertThatThrownBy(() -> de.deserialize("serde-bad", truncated))
                .isInstanceOfSatisfying(RecordDecodeException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO));
    }
}
