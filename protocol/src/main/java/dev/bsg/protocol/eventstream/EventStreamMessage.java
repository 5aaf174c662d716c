package dev.bsg.protocol.eventstream;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One message of the AWS event-stream framing: typed headers and an opaque payload. */
public record EventStreamMessage(Map<String, HeaderValue> headers, byte[] payload) {

    public EventStreamMessage {
        if (!(headers instanceof OwnedHeaders)) headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Headers the decoder built and hands over, so the hot path doesn't copy them again. */
    static final class OwnedHeaders extends LinkedHashMap<String, HeaderValue> {
        OwnedHeaders() {
            super(8);
        }
    }

    public String header(String name) {
        HeaderValue value = headers.get(name);
        return value == null ? null : value.asString();
    }

    public String messageType() {
        return header(":message-type");
    }

    public boolean isEvent() {
        return "event".equals(messageType());
    }

    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** A Bedrock-style event frame ({@code :message-type event}) with a JSON payload. */
    public static EventStreamMessage event(String eventType, byte[] jsonPayload) {
        return json(":event-type", eventType, "event", jsonPayload);
    }

    /** A modeled exception frame ({@code :message-type exception}). */
    public static EventStreamMessage exception(String exceptionType, byte[] jsonPayload) {
        return json(":exception-type", exceptionType, "exception", jsonPayload);
    }

    private static EventStreamMessage json(String typeHeader, String type, String messageType, byte[] jsonPayload) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(typeHeader, HeaderValue.string(type));
        headers.put(":content-type", HeaderValue.string("application/json"));
        headers.put(":message-type", HeaderValue.string(messageType));
        return new EventStreamMessage(headers, jsonPayload);
    }
}
