package dev.bsg.protocol.eventstream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/** A typed header value; the type codes are those of the event-stream specification. */
public final class HeaderValue {
    public static final byte TRUE = 0,
            FALSE = 1,
            BYTE = 2,
            SHORT = 3,
            INT = 4,
            LONG = 5,
            BYTES = 6,
            STRING = 7,
            TIMESTAMP = 8,
            UUID_TYPE = 9;

    private final byte type;
    private final long number;
    private final byte[] bytes;

    private HeaderValue(byte type, long number, byte[] bytes) {
        this.type = type;
        this.number = number;
        this.bytes = bytes;
    }

    public static HeaderValue string(String value) {
        return new HeaderValue(STRING, 0, value.getBytes(StandardCharsets.UTF_8));
    }

    public static HeaderValue bool(boolean value) {
        return new HeaderValue(value ? TRUE : FALSE, 0, null);
    }

    public static HeaderValue number(byte type, long value) {
        if (type < BYTE || (type > LONG && type != TIMESTAMP))
            throw new IllegalArgumentException("not a numeric type: " + type);
        return new HeaderValue(type, value, null);
    }

    public static HeaderValue bytes(byte[] value) {
        return new HeaderValue(BYTES, 0, value.clone());
    }

    public static HeaderValue uuid(UUID value) {
        byte[] raw = new byte[16];
        for (int i = 0; i < 8; i++) {
            raw[i] = (byte) (value.getMostSignificantBits() >>> (56 - 8 * i));
            raw[8 + i] = (byte) (value.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return new HeaderValue(UUID_TYPE, 0, raw);
    }

    static HeaderValue raw(byte type, long number, byte[] bytes) {
        return new HeaderValue(type, number, bytes);
    }

    public byte type() {
        return type;
    }

    public long number() {
        return number;
    }

    byte[] rawBytes() {
        return bytes;
    }

    public String asString() {
        return switch (type) {
            case TRUE -> "true";
            case FALSE -> "false";
            case STRING -> new String(bytes, StandardCharsets.UTF_8);
            case BYTES, UUID_TYPE -> HexFormat.of().formatHex(bytes);
            default -> Long.toString(number);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderValue other
                && type == other.type
                && number == other.number
                && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, number, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return asString();
    }
}
