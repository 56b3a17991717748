package io.maskstream.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Tiny valid ONNX models written byte by byte (protobuf wire format), so a test can offer the detector a network that
 * is not BlazeFace without fetching one: an {@code Identity} from one float input to one output of the same shape.
 */
final class OnnxFiles {

    private OnnxFiles() {
    }

    /** An ONNX model (IR 8, opset 13) whose graph copies its float input {@code x} of the given shape to {@code y}. */
    static byte[] identity(long... shape) {
        byte[] node = concat(string(1, "x"), string(2, "y"), string(3, "copy"), string(4, "Identity"));
        byte[] graph = concat(message(1, node), string(2, "identity"), message(11, valueInfo("x", shape)),
                message(12, valueInfo("y", shape)));
        byte[] opset = concat(string(1, ""), varintField(2, 13));
        return concat(varintField(1, 8), string(2, "maskstream-test"), message(7, graph), message(8, opset));
    }

    private static byte[] valueInfo(String name, long[] shape) {
        ByteArrayOutputStream dims = new ByteArrayOutputStream();
        for (long d : shape) {
            dims.writeBytes(message(1, varintField(1, d)));
        }
        byte[] tensor = concat(varintField(1, 1 /* FLOAT */), message(2, dims.toByteArray()));
        return concat(string(1, name), message(2, message(1, tensor)));
    }

    private static byte[] string(int field, String value) {
        return message(field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] message(int field, byte[] body) {
        return concat(varint(field << 3 | 2), varint(body.length), body);
    }

    private static byte[] varintField(int field, long value) {
        return concat(varint(field << 3), varint(value));
    }

    private static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
