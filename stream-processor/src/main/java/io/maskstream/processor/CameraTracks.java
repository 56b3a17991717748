package io.maskstream.processor;

import io.maskstream.model.Box;
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

/**
 * One camera's tracks, as the tracker store keeps them: the last id given, the last frame seen, and each live
 * track's id, last box and the frame it was last seen in. A few dozen bytes per person in view.
 */
final class CameraTracks {

    private static final byte FORMAT = 1;
    private static final int MAX_TRACKS = 100_000;

    /** A person being followed: their id, where their face was last seen, and in which frame. */
    record Track(long id, Box box, long lastSequence) {
    }

    private long lastId;
    private long lastSequence = -1;
    private final List<Track> tracks = new ArrayList<>();

    List<Track> tracks() {
        return tracks;
    }

    long lastSequence() {
        return lastSequence;
    }

    long lastId() {
        return lastId;
    }

    void seen(long sequence) {
        lastSequence = sequence;
    }

    long newId() {
        return ++lastId;
    }

    static Serde<CameraTracks> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(), (topic, data) -> data == null ? null
                : fromBytes(topic, data));
    }

    private byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(21 + tracks.size() * 40);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(lastId);
            out.writeLong(lastSequence);
            out.writeInt(tracks.size());
            for (Track t : tracks) {
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

    private static CameraTracks fromBytes(String topic, byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("Camera tracks in format " + format + " on " + topic
                        + "; this version reads format " + FORMAT);
            }
            CameraTracks s = new CameraTracks();
            s.lastId = in.readLong();
            s.lastSequence = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > MAX_TRACKS) {
                throw new SerializationException("Corrupt camera tracks on " + topic + ": " + n + " tracks");
            }
            for (int i = 0; i < n; i++) {
                long id = in.readLong();
                long last = in.readLong();
                s.tracks.add(new Track(id, new Box(in.readFloat(), in.readFloat(), in.readFloat(), in.readFloat()), last));
            }
            return s;
        } catch (IOException | IllegalArgumentException e) {
            throw new SerializationException("Corrupt camera tracks on " + topic + ": " + e, e);
        }
    }
}
