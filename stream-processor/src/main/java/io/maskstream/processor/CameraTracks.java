package io.maskstream.processor;

import io.maskstream.model.Box;
import io.maskstream.model.FaceTracks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** A camera's {@link FaceTracks} in the face-tracks store: a versioned binary form, a few dozen bytes per person. */
final class CameraTracks {

    private static final byte FORMAT = 1;
    private static final int MAX_TRACKS = 100_000;

    private CameraTracks() {
    }

    static Serde<FaceTracks> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : toBytes(s), (topic, data) -> data == null ? null
                : fromBytes(topic, data));
    }

    private static byte[] toBytes(FaceTracks s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(21 + s.tracks().size() * 40);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(s.lastId());
            out.writeLong(s.lastSequence());
            out.writeInt(s.tracks().size());
            for (FaceTracks.Track t : s.tracks()) {
                out.writeLong(t.id());
                out.writeLong(t.lastSequence());
                out.writeFloat((float) t.box().x());
                out.writeFloat((float) t.box().y());
                out.writeFloat((float) t.box().w());
                out.writeFloat((float) t.box().h());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static FaceTracks fromBytes(String topic, byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("Camera tracks in format " + format + " on " + topic
                        + "; this version reads format " + FORMAT);
            }
            long lastId = in.readLong();
            long lastSequence = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > MAX_TRACKS) {
                throw new SerializationException("Corrupt camera tracks on " + topic + ": " + n + " tracks");
            }
            List<FaceTracks.Track> tracks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long id = in.readLong();
                long last = in.readLong();
                tracks.add(new FaceTracks.Track(id, new Box(in.readFloat(), in.readFloat(), in.readFloat(), in.readFloat()),
                        last));
            }
            return new FaceTracks(lastId, lastSequence, tracks);
        } catch (IOException | IllegalArgumentException e) {
            throw new SerializationException("Corrupt camera tracks on " + topic + ": " + e, e);
        }
    }
}
