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
 * What the micro-batch buffer store keeps per frame: the record exactly as it arrived (key, value,
 * timestamp). Enough to rebuild the frame after a crash without the registry being involved twice.
 */
record BufferedFrame(byte[] key, byte[] value, long timestamp) {

    private static final int FORMAT = 1;

    static Serde<BufferedFrame> serde() {
        Serializer<BufferedFrame> ser = (topic, f) -> {
            if (f == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(f.value.length + 32);
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(FORMAT);
                out.writeLong(f.timestamp);
                writeBytes(out, f.key);
                writeBytes(out, f.value);
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
                if (format != FORMAT) {
                    throw new IllegalStateException("Unknown buffered frame format " + format);
                }
                long ts = in.readLong();
                return new BufferedFrame(readBytes(in), readBytes(in), ts);
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
