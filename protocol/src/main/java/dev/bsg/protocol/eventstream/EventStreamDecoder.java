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
    private static final byte[] NONE = new byte[0];

    // Only the bytes of a message split across reads are kept, and only until it is whole: an open stream
    // between frames holds no buffer (10,000 open streams held 8 KB each before).
    private byte[] pending = NONE;
    private int length;
    private boolean failed;

    public List<EventStreamMessage> feed(byte[] data, int offset, int count) {
        List<EventStreamMessage> out = new ArrayList<>(2);
        feed(data, offset, count, out::add);
        return out;
    }

    public void feed(byte[] data, int offset, int count, Consumer<EventStreamMessage> sink) {
        if (failed) throw new EventStreamException("decoder already failed");
        try {
            if (length == 0) {
                int end = offset + count;
                int used = decode(data, offset, end, sink);
                keep(data, used, end - used);
            } else {
                append(data, offset, count);
                int used = decode(pending, 0, length, sink);
                keep(pending, used, length - used);
            }
        } catch (EventStreamException e) {
            failed = true;
            throw e;
        }
    }

    /** Bytes held back waiting for the rest of a message; non-zero at end of stream means truncation. */
    public int pendingBytes() {
        return length;
    }

    /** The size of the buffer held for a message split across reads (0 when none is). */
    int heldBytes() {
        return pending.length;
    }

    /** Decodes the whole messages in {@code bytes[from, end)}; returns where the first incomplete one starts. */
    private static int decode(byte[] bytes, int from, int end, Consumer<EventStreamMessage> sink) {
        int position = from;
        while (end - position >= EventStreamCodec.PRELUDE_LENGTH) {
            int total = readInt(bytes, position);
            int headersLength = readInt(bytes, position + 4);
            validatePrelude(bytes, position, total, headersLength);
            if (end - position < total) break;
            sink.accept(decodeMessage(bytes, position, total, headersLength));
            position += total;
        }
        return position;
    }

    private void keep(byte[] bytes, int from, int count) {
        if (count == 0) pending = NONE;
        else if (bytes == pending) System.arraycopy(pending, from, pending, 0, count);
        else pending = Arrays.copyOfRange(bytes, from, from + count);
        length = count;
    }

    private void append(byte[] data, int offset, int count) {
        if (length + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + count));
        }
        System.arraycopy(data, offset, pending, length, count);
        length += count;
    }

    private static void validatePrelude(byte[] bytes, int position, int total, int headersLength) {
        long expected = readInt(bytes, position + 8) & 0xFFFFFFFFL;
        if (EventStreamCodec.crc(bytes, position, 8) != expected)
            throw new EventStreamException("prelude CRC mismatch");
        if (headersLength < 0 || headersLength > EventStreamCodec.MAX_HEADERS) {
            throw new EventStreamException("headers length out of range: " + headersLength);
        }
        long payload = (long) total - headersLength - EventStreamCodec.OVERHEAD;
        if (total < EventStreamCodec.OVERHEAD || payload < 0 || payload > EventStreamCodec.MAX_PAYLOAD) {
            throw new EventStreamException("message length out of range: " + total);
        }
    }

    private static EventStreamMessage decodeMessage(byte[] bytes, int position, int total, int headersLength) {
        CRC32 crc = new CRC32();
        crc.update(bytes, position, total - 4);
        if (crc.getValue() != (readInt(bytes, position + total - 4) & 0xFFFFFFFFL)) {
            throw new EventStreamException("message CRC mismatch");
        }
        int headersStart = position + EventStreamCodec.PRELUDE_LENGTH;
        Map<String, HeaderValue> headers = decodeHeaders(ByteBuffer.wrap(bytes, headersStart, headersLength));
        int payloadStart = headersStart + headersLength;
        byte[] payload = new byte[total - headersLength - EventStreamCodec.OVERHEAD];
        System.arraycopy(bytes, payloadStart, payload, 0, payload.length);
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

    private static int readInt(byte[] bytes, int at) {
        return ((bytes[at] & 0xFF) << 24)
                | ((bytes[at + 1] & 0xFF) << 16)
                | ((bytes[at + 2] & 0xFF) << 8)
                | (bytes[at + 3] & 0xFF);
    }
}
