package io.maskstream.alerts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The debounce state of each person (track) a camera with face detection follows: one {@link CameraState} per track
 * id, kept only while that person has a matching frame in the window or an open episode. One store entry per camera,
 * so a frame's update of all its people is one write.
 */
final class PeopleState {

    private static final byte FORMAT = 1;
    private static final int MAX_PEOPLE = 100_000;

    private final TreeMap<Long, CameraState> people = new TreeMap<>();

    Map<Long, CameraState> people() {
        return people;
    }

    boolean isIdle() {
        return people.isEmpty();
    }

    static Serde<PeopleState> serde() {
        Serde<CameraState> one = CameraState.serde();
        Serializer<PeopleState> serializer = (topic, state) -> {
            if (state == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT);
                out.writeInt(state.people.size());
                for (Map.Entry<Long, CameraState> e : state.people.entrySet()) {
                    byte[] b = one.serializer().serialize(topic, e.getValue());
                    out.writeLong(e.getKey());
                    out.writeInt(b.length);
                    out.write(b);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
        Deserializer<PeopleState> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                byte format = in.readByte();
                if (format != FORMAT) {
                    throw new SerializationException("People state in format " + format + " on " + topic
                            + "; this version reads format " + FORMAT);
                }
                int n = in.readInt();
                if (n < 0 || n > MAX_PEOPLE) {
                    throw new SerializationException("Corrupt people state on " + topic + ": " + n + " people");
                }
                PeopleState s = new PeopleState();
                for (int i = 0; i < n; i++) {
                    long id = in.readLong();
                    int len = in.readInt();
                    if (len < 0 || len > data.length) {
                        throw new SerializationException("Corrupt people state on " + topic + ": entry of " + len + " bytes");
                    }
                    s.people.put(id, one.deserializer().deserialize(topic, in.readNBytes(len)));
                }
                return s;
            } catch (IOException e) {
                throw new SerializationException("Corrupt people state on " + topic + ": " + e, e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
