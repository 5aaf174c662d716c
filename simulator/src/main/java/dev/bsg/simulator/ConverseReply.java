package dev.bsg.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.bsg.protocol.eventstream.EventStreamMessage;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Renders a {@link Reply} in the Converse API's shapes. */
final class ConverseReply {
    private final Reply reply;
    private final int inputTokens;

    ConverseReply(Reply reply, int inputTokens) {
        this.reply = reply;
        this.inputTokens = inputTokens;
    }

    byte[] response() {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("output");
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeArrayFieldStart("content");
            g.writeStartObject();
            g.writeStringField("text", reply.text());
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
            g.writeStringField("stopReason", "end_turn");
            writeUsage(g);
            g.writeObjectFieldStart("metrics");
            g.writeNumberField("latencyMs", reply.firstByte().toMillis() + 5);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    List<EventStreamMessage> events() {
        List<EventStreamMessage> events = new ArrayList<>();
        events.add(EventStreamMessage.event("messageStart", Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("role", "assistant");
            g.writeEndObject();
        })));
        for (String piece : reply.textPieces()) {
            events.add(EventStreamMessage.event("contentBlockDelta", Json.write(g -> {
                g.writeStartObject();
                g.writeObjectFieldStart("delta");
                g.writeStringField("text", piece);
                g.writeEndObject();
                g.writeNumberField("contentBlockIndex", 0);
                g.writeEndObject();
            })));
        }
        events.add(EventStreamMessage.event("contentBlockStop", Json.write(g -> {
            g.writeStartObject();
            g.writeNumberField("contentBlockIndex", 0);
            g.writeEndObject();
        })));
        events.add(EventStreamMessage.event("messageStop", Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("stopReason", "end_turn");
            g.writeEndObject();
        })));
        events.add(EventStreamMessage.event("metadata", Json.write(g -> {
            g.writeStartObject();
            writeUsage(g);
            g.writeObjectFieldStart("metrics");
            g.writeNumberField("latencyMs", reply.firstByte().toMillis() + 5);
            g.writeEndObject();
            g.writeEndObject();
        })));
        return events;
    }

    private void writeUsage(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("inputTokens", inputTokens);
        g.writeNumberField("outputTokens", reply.outputTokens());
        g.writeNumberField("totalTokens", inputTokens + reply.outputTokens());
        if (reply.cacheReadTokens() > 0) g.writeNumberField("cacheReadInputTokens", reply.cacheReadTokens());
        if (reply.cacheWriteTokens() > 0) g.writeNumberField("cacheWriteInputTokens", reply.cacheWriteTokens());
        g.writeEndObject();
    }
}
