package io.maskstream.processor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the micro-batch buffer store keeps per frame (its key in the store is the frame's offset). Normally a
 * <em>reference</em>: only the timestamp the processor trusted, since the frame itself is still on the frames topic at
 * that offset and is read back from there after a crash ({@code key} and {@code value} are null). Writing the whole
 * frame to the changelog as well cost a second copy of every frame still in a batch at each commit: measured, a
 * third of the pipeline's throughput. Stores written by earlier versions hold whole records (format 1: key, value,
 * timestamp exactly as they arrived); they are still read.
 */
record BufferedFrame(byte[] key, byte[] value, long timestamp) {

    private static final int WHOLE = 1;
    private static final int REFERENCE = 2;

    /** A frame that is read back from the frames topic (at the store key's offset) when it must be restored. */
    static BufferedFrame reference(long timestamp) {
        return new BufferedFrame(null, null, timestamp);
    }

    /** True when only the offset and timestamp are kept, not the record's bytes. */
    boolean isReference() {
        return value == null;
    }

    /** The record read back from the topic, with the timestamp this store kept. */
    BufferedFrame resolved(byte[] recordKey, byte[] recordValue) {
        return new BufferedFrame(recordKey, recordValue, timestamp);
    }

    static Serde<BufferedFrame> serde() {
        Serializer<BufferedFrame> ser = (topic, f) -> {
            if (f == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(f.isReference() ? 9 : f.value.length + 32);
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(f.isReference() ? REFERENCE : WHOLE);
                out.writeLong(f.timestamp);
                if (!f.isReference()) {
                    writeBytes(out, f.key);
                    writeBytes(out, f.value);
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Deserializer<BufferedFrame> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int format = in.readByte();
                if (format != WHOLE && format != REFERENCE) {
                    throw new IllegalStateException("Unknown buffered frame format " + format);
                }
                long ts = in.readLong();
                return format == REFERENCE ? reference(ts) : new BufferedFrame(readBytes(in), readBytes(in), ts);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
