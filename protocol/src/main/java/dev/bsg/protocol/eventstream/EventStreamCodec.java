package dev.bsg.protocol.eventstream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/** Encodes messages to the event-stream wire form (prelude, headers, payload, two CRC32s). */
public final class EventStreamCodec {
    public static final int PRELUDE_LENGTH = 12;
    public static final int OVERHEAD = 16;
    public static final int MAX_PAYLOAD = 25_165_824;
    public static final int MAX_HEADERS = 131_072;

    private EventStreamCodec() {}

    public static byte[] encode(EventStreamMessage message) {
        byte[] headers = encodeHeaders(message.headers());
        byte[] payload = message.payload();
        if (headers.length > MAX_HEADERS) throw new EventStreamException("headers too large: " + headers.length);
        if (payload.length > MAX_PAYLOAD) throw new EventStreamException("payload too large: " + payload.length);
        int total = OVERHEAD + headers.length + payload.length;
        ByteBuffer out = ByteBuffer.allocate(total);
        out.putInt(total).putInt(headers.length);
        out.putInt((int) crc(out.array(), 0, 8));
        out.put(headers).put(payload);
        out.putInt((int) crc(out.array(), 0, total - 4));
        return out.array();
    }

    static byte[] encodeHeaders(Map<String, HeaderValue> headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * headers.size());
        for (Map.Entry<String, HeaderValue> header : headers.entrySet()) {
            byte[] name = header.getKey().getBytes(StandardCharsets.UTF_8);
            if (name.length == 0 || name.length > 255)
                throw new EventStreamException("header name length " + name.length);
            out.write(name.length);
            out.writeBytes(name);
            HeaderValue value = header.getValue();
            out.write(value.type());
            switch (value.type()) {
                case HeaderValue.TRUE, HeaderValue.FALSE -> {}
                case HeaderValue.BYTE -> out.write((int) value.number());
                case HeaderValue.SHORT -> writeBigEndian(out, value.number(), 2);
                case HeaderValue.INT -> writeBigEndian(out, value.number(), 4);
                case HeaderValue.LONG, HeaderValue.TIMESTAMP -> writeBigEndian(out, value.number(), 8);
                case HeaderValue.BYTES, HeaderValue.STRING -> {
                    byte[] raw = value.rawBytes();
                    if (raw.length > 0xFFFF) throw new EventStreamException("header value too long: " + raw.length);
                    writeBigEndian(out, raw.length, 2);
                    out.writeBytes(raw);
                }
                case HeaderValue.UUID_TYPE -> out.writeBytes(value.rawBytes());
                default -> throw new EventStreamException("unknown header type " + value.type());
            }
        }
        return out.toByteArray();
    }

    private static void writeBigEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) out.write((int) (value >>> (8 * i)));
    }

    static long crc(byte[] data, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return crc.getValue();
    }
}
