package dev.bsg.protocol.sse;

import java.nio.charset.StandardCharsets;

/** Server-sent events in the shape the Anthropic streaming API uses: {@code event: X\ndata: JSON\n\n}. */
public final class Sse {
    public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] PING = event("ping", "{\"type\": \"ping\"}".getBytes(StandardCharsets.UTF_8));

    private Sse() {}

    /** The event's JSON must be single-line, which every JSON the upstream sends is. */
    public static byte[] event(String name, byte[] json) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[EVENT.length + nameBytes.length + DATA.length + json.length + END.length];
        int at = 0;
        at = put(out, at, EVENT);
        at = put(out, at, nameBytes);
        at = put(out, at, DATA);
        at = put(out, at, json);
        put(out, at, END);
        return out;
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }
}
