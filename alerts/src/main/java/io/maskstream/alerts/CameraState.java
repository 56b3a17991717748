package io.maskstream.alerts;

import io.maskstream.events.AlertKind;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One camera's debounce state, as kept in the changelogged episode store: the matching frames among its
 * last N frames (non-matching frames are only counted, so a quiet camera's state stays tiny) and its open
 * episodes. A camera with neither is idle and needs no state at all.
 */
final class CameraState {

    private static final byte FORMAT = 1;
    private static final AlertKind[] KINDS = AlertKind.values();

    /** A matching frame; {@code index} is its position in the camera's frame count. */
    record Match(long index, AlertKind kind, long sequence, long captureMillis, float probability) {
    }

    /** An episode that raised its alert and is not over yet. */
    record Episode(long firstSequence, long raisedSequence, long lastMatchSequence, long lastMatchCaptureMillis,
                   long matchingFrames) {

        Episode extendedBy(long sequence, long captureMillis) {
            return new Episode(firstSequence, raisedSequence, Math.max(lastMatchSequence, sequence),
                    Math.max(lastMatchCaptureMillis, captureMillis), matchingFrames + 1);
        }
    }

    private long framesSeen;
    private final ArrayDeque<Match> window = new ArrayDeque<>();
    private final EnumMap<AlertKind, Episode> episodes = new EnumMap<>(AlertKind.class);

    /** Counts one more frame and returns its index. */
    long advance() {
        return ++framesSeen;
    }

    long framesSeen() {
        return framesSeen;
    }

    /** Matching frames within the window, oldest first. */
    ArrayDeque<Match> window() {
        return window;
    }

    Map<AlertKind, Episode> episodes() {
        return episodes;
    }

    /** Nothing to remember: no matching frame in the window, no open episode. */
    boolean isIdle() {
        return window.isEmpty() && episodes.isEmpty();
    }

    /** A compact, versioned binary form for the state store and its changelog. */
    static Serde<CameraState> serde() {
        return Serdes.serdeFrom(SERIALIZER, DESERIALIZER);
    }

    private static final Serializer<CameraState> SERIALIZER = (topic, state) -> {
        if (state == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + state.window.size() * 29);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(state.framesSeen);
            out.writeInt(state.window.size());
            for (Match m : state.window) {
                out.writeLong(m.index());
                out.writeByte(m.kind().ordinal());
                out.writeLong(m.sequence());
                out.writeLong(m.captureMillis());
                out.writeFloat(m.probability());
            }
            out.writeByte(state.episodes.size());
            for (Map.Entry<AlertKind, Episode> e : state.episodes.entrySet()) {
                Episode ep = e.getValue();
                out.writeByte(e.getKey().ordinal());
                out.writeLong(ep.firstSequence());
                out.writeLong(ep.raisedSequence());
                out.writeLong(ep.lastMatchSequence());
                out.writeLong(ep.lastMatchCaptureMillis());
                out.writeLong(ep.matchingFrames());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    };

    private static final Deserializer<CameraState> DESERIALIZER = (topic, data) -> {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("Camera state in format " + format + " on " + topic
                        + "; this version reads format " + FORMAT);
            }
            CameraState s = new CameraState();
            s.framesSeen = in.readLong();
            int size = in.readInt();
            if (size < 0 || size > AlertsConfig.MAX_WINDOW) {
                throw new SerializationException("Corrupt camera state on " + topic + ": window of " + size);
            }
            for (int i = 0; i < size; i++) {
                s.window.addLast(new Match(in.readLong(), kind(in.readByte()), in.readLong(), in.readLong(), in.readFloat()));
            }
            int open = in.readByte();
            for (int i = 0; i < open; i++) {
                AlertKind kind = kind(in.readByte());
                s.episodes.put(kind, new Episode(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong()));
            }
            return s;
        } catch (IOException e) {
            throw new SerializationException("Corrupt camera state on " + topic + ": " + e, e);
        }
    };

    private static AlertKind kind(byte ordinal) {
        if (ordinal < 0 || ordinal >= KINDS.length) {
            throw new SerializationException("Unknown alert kind " + ordinal + " in camera state");
        }
        return KINDS[ordinal];
    }
}
