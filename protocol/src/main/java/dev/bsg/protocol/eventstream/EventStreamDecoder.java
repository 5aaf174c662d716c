package dev.bsg.protocol.eventstream;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Incremental decoder: feed it bytes as they arrive from the network, get whole messages out.
 * Any framing violation throws {@link EventStreamException}; the decoder is then unusable.
 */
public final class EventStreamDecoder {
    private byte[] buffer = new byte[8192];
    private int length;
    private boolean failed;

    public List<EventStreamMessage> feed(byte[] data, int offset, int count) {
        List<EventStreamMessage> out = new ArrayList<>(2);
        feed(data, offset, count, out::add);
        return out;
    }

    public void feed(byte[] data, int offset, int count, Consumer<EventStreamMessage> sink) {
        if (failed) throw new EventStreamException("decoder already failed");
        append(data, offset, count);
        int position = 0;
        try {
            while (length - position >= EventStreamCodec.PRELUDE_LENGTH) {
                int total = readInt(position);
                int headersLength = readInt(position + 4);
                validatePrelude(position, total, headersLength);
                if (length - position < total) break;
                sink.accept(decodeMessage(position, total, headersLength));
                position += total;
            }
        } catch (EventStreamException e) {
            failed = true;
            throw e;
        }
        System.arraycopy(buffer, position, buffer, 0, length - position);
        length -= position;
    }

    /** Bytes held back waiting for the rest of a message; non-zero at end of stream means truncation. */
    public int pendingBytes() {
        return length;
    }

    private void validatePrelude(int position, int total, int headersLength) {
        long expected = readInt(position + 8) & 0xFFFFFFFFL;
        if (EventStreamCodec.crc(buffer, position, 8) != expected)
            throw new EventStreamException("prelude CRC mismatch");
        if (headersLength < 0 || headersLength > EventStreamCodec.MAX_HEADERS) {
            throw new EventStreamException("headers length out of range: " + headersLength);
        }
        long payload = (long) total - headersLength - EventStreamCodec.OVERHEAD;
        if (total < EventStreamCodec.OVERHEAD || payload < 0 || payload > EventStreamCodec.MAX_PAYLOAD) {
            throw new EventStreamException("message length out of range: " + total);
        }
    }

    private EventStreamMessage decodeMessage(int position, int total, int headersLength) {
        CRC32 crc = new CRC32();
        crc.update(buffer, position, total - 4);
        if (crc.getValue() != (readInt(position + total - 4) & 0xFFFFFFFFL)) {
            throw new EventStreamException("message CRC mismatch");
        }
        int headersStart = position + EventStreamCodec.PRELUDE_LENGTH;
        Map<String, HeaderValue> headers = decodeHeaders(ByteBuffer.wrap(buffer, headersStart, headersLength));
        int payloadStart = headersStart + headersLength;
        byte[] payload = new byte[total - headersLength - EventStreamCodec.OVERHEAD];
        System.arraycopy(buffer, payloadStart, payload, 0, payload.length);
        return new EventStreamMessage(headers, payload);
    }

    static Map<String, HeaderValue> decodeHeaders(ByteBuffer in) {
        Map<String, HeaderValue> headers = new EventStreamMessage.OwnedHeaders();
        try {
            while (in.hasRemaining()) {
                int nameLength = in.get() & 0xFF;
                if (nameLength == 0) throw new EventStreamException("empty header name");
                String name = new String(take(in, nameLength), StandardCharsets.UTF_8);
                byte type = in.get();
                HeaderValue value = switch (type) {
                    case HeaderValue.TRUE, HeaderValue.FALSE -> HeaderValue.raw(type, 0, null);
                    case HeaderValue.BYTE -> HeaderValue.raw(type, in.get(), null);
                    case HeaderValue.SHORT -> HeaderValue.raw(type, in.getShort(), null);
                    case HeaderValue.INT -> HeaderValue.raw(type, in.getInt(), null);
                    case HeaderValue.LONG, HeaderValue.TIMESTAMP -> HeaderValue.raw(type, in.getLong(), null);
                    case HeaderValue.BYTES, HeaderValue.STRING ->
                        HeaderValue.raw(type, 0, take(in, in.getShort() & 0xFFFF));
                    case HeaderValue.UUID_TYPE -> HeaderValue.raw(type, 0, take(in, 16));
                    default -> throw new EventStreamException("unknown header type " + type);
                };
                if (headers.put(name, value) != null) throw new EventStreamException("duplicate header " + name);
            }
        } catch (BufferUnderflowException e) {
            throw new EventStreamException("header section truncated");
        }
        return headers;
    }

    private static byte[] take(ByteBuffer in, int count) {
        if (count > in.remaining()) throw new EventStreamException("header section truncated");
        byte[] out = new byte[count];
        in.get(out);
        return out;
    }

    private void append(byte[] data, int offset, int count) {
        if (length + count > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
        }
        System.arraycopy(data, offset, buffer, length, count);
        length += count;
    }

    private int readInt(int at) {
        return ((buffer[at] & 0xFF) << 24)
                | ((buffer[at + 1] & 0xFF) << 16)
                | ((buffer[at + 2] & 0xFF) << 8)
                | (buffer[at + 3] & 0xFF);
    }
}
