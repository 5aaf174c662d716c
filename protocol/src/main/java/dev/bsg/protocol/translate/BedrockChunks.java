package dev.bsg.protocol.translate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.eventstream.EventStreamMessage;
import dev.bsg.protocol.sse.Sse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Turns InvokeModelWithResponseStream frames into Anthropic SSE events: a {@code chunk} frame
 * carries {@code {"bytes":"<base64 of one event JSON>"}}; exception frames become {@code error} events.
 */
public final class BedrockChunks {
    private BedrockChunks() {}

    private static final byte[] BYTES_FIELD = "{\"bytes\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE_FIELD = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The decoded Anthropic event JSON inside a chunk frame, or null when the frame has none. */
    public static byte[] eventJson(EventStreamMessage frame) {
        byte[] payload = frame.payload();
        // Fast path for the shape Bedrock always sends, {"bytes":"<base64>"...}: base64 has no escapes to undo.
        if (startsWith(payload, BYTES_FIELD)) {
            int end = indexOf(payload, (byte) '"', BYTES_FIELD.length);
            if (end > 0) {
                try {
                    ByteBuffer decoded = Base64.getDecoder()
                            .decode(ByteBuffer.wrap(payload, BYTES_FIELD.length, end - BYTES_FIELD.length));
                    byte[] array = decoded.array();
                    return array.length == decoded.remaining() ? array : Arrays.copyOf(array, decoded.remaining());
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        try (JsonParser parser = Json.FACTORY.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) return null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("bytes") && value == JsonToken.VALUE_STRING) {
                    return parser.getBinaryValue();
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The {@code type} member at the top of an event JSON. */
    public static String eventType(byte[] eventJson) {
        if (startsWith(eventJson, TYPE_FIELD)) {
            int end = indexOf(eventJson, (byte) '"', TYPE_FIELD.length);
            boolean plain = end > 0;
            for (int i = TYPE_FIELD.length; plain && i < end; i++) plain = eventJson[i] != '\\';
            if (plain) return new String(eventJson, TYPE_FIELD.length, end - TYPE_FIELD.length, StandardCharsets.UTF_8);
        }
        try (JsonParser parser = Json.FACTORY.createParser(eventJson)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) return null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("type") && value == JsonToken.VALUE_STRING) return parser.getText();
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (data[i] != prefix[i]) return false;
        return true;
    }

    private static int indexOf(byte[] data, byte value, int from) {
        for (int i = from; i < data.length; i++) if (data[i] == value) return i;
        return -1;
    }

    /** The error a non-event frame stands for. */
    public static ApiError error(EventStreamMessage frame) {
        String type = frame.header(":exception-type");
        String message = null;
        if (type != null) {
            message = ErrorBodies.bedrockMessage(frame.payload());
        } else {
            type = frame.header(":error-code");
            message = frame.header(":error-message");
        }
        if (message == null || message.isEmpty()) message = type;
        return ApiError.fromBedrock(0, type, message);
    }

    /** The SSE bytes for one frame, or null for a frame that carries nothing to pass on. */
    public static byte[] toSse(EventStreamMessage frame) {
        byte[] json = frame.isEvent() ? eventJson(frame) : null;
        return toSse(frame, json, json == null ? null : eventType(json));
    }

    /** The same, for a frame whose event JSON and type were already decoded (the relay decodes once, for metering too). */
    public static byte[] toSse(EventStreamMessage frame, byte[] eventJson, String eventType) {
        if (!frame.isEvent()) return ErrorBodies.sseError(error(frame));
        return eventJson == null || eventType == null ? null : Sse.event(eventType, eventJson);
    }

    /** A chunk frame as Bedrock sends it, for the simulator and tests. */
    public static EventStreamMessage chunk(byte[] eventJson) {
        String payload = "{\"bytes\":\"" + Base64.getEncoder().encodeToString(eventJson) + "\"}";
        return EventStreamMessage.event("chunk", payload.getBytes(StandardCharsets.US_ASCII));
    }
}
