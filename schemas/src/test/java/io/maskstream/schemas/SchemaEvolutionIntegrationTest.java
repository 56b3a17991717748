package io.maskstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskstream.embedded.SharedTestStack;
import io.maskstream.events.Frame;
import io.maskstream.runtime.config.ClusterConfig;
import io.maskstream.runtime.config.ConfigSource;
import io.maskstream.schemas.serde.AvroSerializer;
import io.maskstream.schemas.serde.SchemaRegistryClient;
import io.maskstream.schemas.serde.SchemaRegistryException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchemaEvolutionIntegrationTest {

    static SchemaRegistryClient registry;
    static Topics topics;

    @BeforeAll
    static void applyPolicy() {
        String url = SharedTestStack.get().registryUrl();
        registry = new SchemaRegistryClient(url, null, Duration.ofSeconds(10));
        topics = new Topics(new ClusterConfig(ConfigSource.of(Map.of("schema.registry.url", url,
                "topic.frames", "evolution-frames"))));
        SchemaPolicy.apply(registry, topics);
    }

    /** The next version of Frame: today's fields plus one optional field. */
    static Schema nextFrameVersion(boolean optional) {
        Schema today = Frame.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : today.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        if (optional) {
            fields.add(new Schema.Field("exposureMs", Schema.createUnion(Schema.create(Schema.Type.NULL),
                    Schema.create(Schema.Type.INT)), "Exposure time, when known.", Schema.Field.NULL_DEFAULT_VALUE));
        } else {
            fields.add(new Schema.Field("exposureMs", Schema.create(Schema.Type.INT), "Exposure time.", (Object) null));
        }
        return Schema.createRecord(today.getName(), today.getDoc(), today.getNamespace(), false, fields);
    }

    @Test
    void dataWrittenWithTodaysSchemaIsReadByANextVersionAddingAnOptionalField() throws Exception {
        AvroSerializer<Frame> ser = new AvroSerializer<>();
        ser.configure(Map.of("schema.registry.url", registry.baseUrl()), false);
        Frame today = Events.frame("cam-evo", 3);
        byte[] bytes = ser.serialize("evolution-frames", today);

        Schema next = nextFrameVersion(true);
        assertThat(registry.isCompatible("evolution-frames-value", next)).isTrue();
        int nextId = registry.register("evolution-frames-value", next);
        assertThat(nextId).isNotEqualTo(ByteBuffer.wrap(bytes, 1, 4).getInt());

        Schema writer = registry.schemaById(ByteBuffer.wrap(bytes, 1, 4).getInt());
        GenericRecord read = new GenericDatumReader<GenericRecord>(writer, next)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertThat(read.get("exposureMs")).isNull();
        assertThat(read.get("cameraId").toString()).isEqualTo("cam-evo");
        assertThat(read.get("sequence")).isEqualTo(3L);
        assertThat(((ByteBuffer) read.get("image")).remaining()).isEqualTo(today.getImage().remaining());
    }

    @Test
    void aNextVersionThatBreaksOldDataIsRefusedByTheRegistry() {
        Schema breaking = nextFrameVersion(false);
        assertThat(registry.isCompatible("evolution-frames-value", breaking)).isFalse();
        assertThatThrownBy(() -> registry.register("evolution-frames-value", breaking))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(409));
    }

    /**
     * ModelRelease gained an optional signature and an optional ensemble (members and vote): the registry accepts
     * today's over the version with neither, and old data reads with both null.
     */
    @Test
    void theModelReleaseWithSignatureAndEnsembleIsBackwardCompatibleWithTheVersionWithout() throws Exception {
        Schema today = io.maskstream.events.ModelRelease.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : today.getFields()) {
            if (!f.name().equals("signature") && !f.name().equals("ensemble")) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        assertThat(fields).hasSize(today.getFields().size() - 2);
        Schema unsigned = Schema.createRecord(today.getName(), today.getDoc(), today.getNamespace(), false, fields);
        String subject = "evolution-releases-" + System.nanoTime() + "-value";
        registry.register(subject, unsigned);
        registry.setCompatibility(subject, SchemaPolicy.COMPATIBILITY);
        assertThat(registry.isCompatible(subject, today)).isTrue();
        registry.register(subject, today);

        org.apache.avro.generic.GenericData.Record old = new org.apache.avro.generic.GenericData.Record(unsigned);
        for (Schema.Field f : unsigned.getFields()) {
            Object value = switch (f.name()) {
                case "version", "architecture", "sha256", "artifactUri", "trainingData" -> "x";
                case "inputWidth", "inputHeight" -> 1;
                case "createdTime", "statusTime", "artifactBytes" -> 2L;
                case "status" -> new org.apache.avro.generic.GenericData.EnumSymbol(f.schema(), "ACTIVE");
                default -> null;
            };
            old.put(f.name(), value);
        }
        var out = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(unsigned).write(old, encoder);
        encoder.flush();
        GenericRecord read = new GenericDatumReader<GenericRecord>(unsigned, today)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertThat(read.get("signature")).isNull();
        assertThat(read.get("ensemble")).isNull();
        assertThat(read.get("version").toString()).isEqualTo("x");
    }

    /**
     * Classification gained an optional uncertainty (top level and per face): the registry accepts it over the version
     * without, and an event written without it reads as null at both places.
     */
    @Test
    void theClassificationWithUncertaintyIsBackwardCompatibleWithTheOneWithout() throws Exception {
        Schema today = io.maskstream.events.Classification.getClassSchema();
        Schema face = today.getField("faces").schema().getElementType();
        Schema faceBefore = without(face, "uncertainty");
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : today.getFields()) {
            if (f.name().equals("faces")) {
                fields.add(new Schema.Field(f, Schema.createArray(faceBefore)));
            } else if (!f.name().equals("uncertainty")) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema before = Schema.createRecord(today.getName(), today.getDoc(), today.getNamespace(), false, fields);
        assertThat(before.toString()).doesNotContain("uncertainty");
        String subject = "evolution-classifications-" + System.nanoTime() + "-value";
        registry.register(subject, before);
        registry.setCompatibility(subject, SchemaPolicy.COMPATIBILITY);
        assertThat(registry.isCompatible(subject, today)).isTrue();
        registry.register(subject, today);

        io.maskstream.events.Classification event = Events.classification("cam-u", 1);
        event.setFaces(List.of(io.maskstream.events.Face.newBuilder()
                .setBox(io.maskstream.events.FaceBox.newBuilder().setX(1).setY(2).setWidth(3).setHeight(4).build())
                .setDetectionScore(1f).setMask(event.getMask()).setGender(event.getGender()).setAge(event.getAge())
                .setClassCode(17).setClassProbability(0.09375f).setUncertainty(Events.uncertainty()).build()));
        byte[] current = encode(today, event);
        GenericRecord old = new GenericDatumReader<GenericRecord>(today, before)
                .read(null, DecoderFactory.get().binaryDecoder(current, null)); // today's event as the old version held it
        byte[] written = encode(before, old);
        GenericRecord read = new GenericDatumReader<GenericRecord>(before, today)
                .read(null, DecoderFactory.get().binaryDecoder(written, null));
        assertThat(read.get("uncertainty")).isNull();
        GenericRecord readFace = (GenericRecord) ((List<?>) read.get("faces")).get(0);
        assertThat(readFace.get("uncertainty")).isNull();
        assertThat(readFace.get("classCode")).isEqualTo(17);
    }

    private static Schema without(Schema record, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            if (!f.name().equals(field)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }

    private static byte[] encode(Schema schema, Object datum) throws java.io.IOException {
        var out = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<Object>(schema)
                .write(datum, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
