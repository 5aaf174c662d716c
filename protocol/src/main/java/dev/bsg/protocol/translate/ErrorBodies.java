package dev.bsg.protocol.translate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.sse.Sse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Error bodies in each dialect. */
public final class ErrorBodies {
    private ErrorBodies() {}

    public static byte[] anthropic(ApiError error, String requestId) {
        return anthropic(error, requestId, false);
    }

    /** One body both dialects read, for an answer whose door is unknown: Anthropic's envelope plus Bedrock's {@code message}. */
    public static byte[] eitherDialect(ApiError error, String requestId) {
        return anthropic(error, requestId, true);
    }

    private static byte[] anthropic(ApiError error, String requestId, boolean bedrockMessageToo) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeObjectFieldStart("error");
            g.writeStringField("type", error.anthropicType());
            g.writeStringField("message", error.message());
            g.writeEndObject();
            if (bedrockMessageToo) g.writeStringField("message", error.message());
            if (requestId != null) g.writeStringField("request_id", requestId);
            g.writeEndObject();
        });
    }

    public static byte[] bedrock(ApiError error) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("message", error.message());
            g.writeEndObject();
        });
    }

    public static byte[] sseError(ApiError error) {
        return Sse.event("error", anthropic(error, null));
    }

    /** The {@code message} (or {@code Message}) of a Bedrock error body; the raw text when it isn't JSON. */
    public static String bedrockMessage(byte[] body) {
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if ((name.equals("message") || name.equals("Message")) && value == JsonToken.VALUE_STRING) {
                        return parser.getText();
                    }
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            // not JSON: fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }
}
