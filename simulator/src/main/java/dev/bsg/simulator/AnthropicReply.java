package dev.bsg.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Renders a {@link Reply} as the Anthropic events Bedrock streams, or as one Message JSON. */
final class AnthropicReply {
    private final Reply reply;
    private final String id;
    private final String model;
    private final int inputTokens;

    AnthropicReply(Reply reply, String id, String model, int inputTokens) {
        this.reply = reply;
        this.id = id;
        this.model = model;
        this.inputTokens = inputTokens;
    }

    List<byte[]> events() {
        List<byte[]> events = new ArrayList<>();
        events.add(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_start");
            g.writeObjectFieldStart("message");
            g.writeStringField("id", id);
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", model);
            g.writeArrayFieldStart("content");
            g.writeEndArray();
            g.writeNullField("stop_reason");
            g.writeNullField("stop_sequence");
            writeUsage(g, 1);
            g.writeEndObject();
            g.writeEndObject();
        }));
        int index = 0;
        if (reply.thinking() != null) {
            int block = index++;
            events.add(blockStart(block, g -> {
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", "");
                g.writeStringField("signature", "");
            }));
            events.add(delta(block, "thinking_delta", "thinking", reply.thinking()));
            events.add(delta(block, "signature_delta", "signature", signature()));
            events.add(blockStop(block));
        }
        int textBlock = index++;
        events.add(blockStart(textBlock, g -> {
            g.writeStringField("type", "text");
            g.writeStringField("text", "");
        }));
        for (String piece : reply.textPieces()) events.add(delta(textBlock, "text_delta", "text", piece));
        events.add(blockStop(textBlock));
        if (reply.toolName() != null) {
            int toolBlock = index;
            events.add(blockStart(toolBlock, g -> {
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", toolUseId());
                g.writeStringField("name", reply.toolName());
                g.writeObjectFieldStart("input");
                g.writeEndObject();
            }));
            events.add(delta(toolBlock, "input_json_delta", "partial_json", reply.toolInputJson()));
            events.add(blockStop(toolBlock));
        }
        events.add(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_delta");
            g.writeObjectFieldStart("delta");
            g.writeStringField("stop_reason", stopReason());
            g.writeNullField("stop_sequence");
            g.writeEndObject();
            g.writeObjectFieldStart("usage");
            g.writeNumberField("output_tokens", reply.outputTokens());
            g.writeEndObject();
            g.writeEndObject();
        }));
        events.add(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_stop");
            g.writeObjectFieldStart("amazon-bedrock-invocationMetrics");
            g.writeNumberField("inputTokenCount", inputTokens);
            g.writeNumberField("outputTokenCount", reply.outputTokens());
            g.writeNumberField("invocationLatency", reply.firstByte().toMillis() + 5);
            g.writeNumberField("firstByteLatency", reply.firstByte().toMillis());
            if (reply.cacheReadTokens() > 0) g.writeNumberField("cacheReadInputTokenCount", reply.cacheReadTokens());
            if (reply.cacheWriteTokens() > 0) g.writeNumberField("cacheWriteInputTokenCount", reply.cacheWriteTokens());
            g.writeEndObject();
            g.writeEndObject();
        }));
        return events;
    }

    byte[] message() {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", model);
            g.writeArrayFieldStart("content");
            if (reply.thinking() != null) {
                g.writeStartObject();
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", reply.thinking());
                g.writeStringField("signature", signature());
                g.writeEndObject();
            }
            g.writeStartObject();
            g.writeStringField("type", "text");
            g.writeStringField("text", reply.text());
            g.writeEndObject();
            if (reply.toolName() != null) {
                g.writeStartObject();
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", toolUseId());
                g.writeStringField("name", reply.toolName());
                g.writeFieldName("input");
                g.writeRawValue(reply.toolInputJson());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", stopReason());
            g.writeNullField("stop_sequence");
            writeUsage(g, reply.outputTokens());
            g.writeEndObject();
        });
    }

    private void writeUsage(JsonGenerator g, int outputTokens) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", inputTokens);
        g.writeNumberField("cache_creation_input_tokens", reply.cacheWriteTokens());
        g.writeNumberField("cache_read_input_tokens", reply.cacheReadTokens());
        g.writeObjectFieldStart("cache_creation");
        g.writeNumberField("ephemeral_5m_input_tokens", reply.cacheWriteTokens());
        g.writeNumberField("ephemeral_1h_input_tokens", 0);
        g.writeEndObject();
        g.writeNumberField("output_tokens", outputTokens);
        g.writeEndObject();
    }

    private String stopReason() {
        return reply.toolName() != null ? "tool_use" : "end_turn";
    }

    private String signature() {
        return Base64.getEncoder().encodeToString(("sig:" + id).getBytes(StandardCharsets.UTF_8));
    }

    private String toolUseId() {
        return "toolu_bdrk_" + id.substring(Math.max(0, id.length() - 12));
    }

    private static byte[] blockStart(int index, Json.Writer block) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_start");
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("content_block");
            block.write(g);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static byte[] delta(int index, String type, String field, String value) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_delta");
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            g.writeStringField("type", type);
            g.writeStringField(field, value);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static byte[] blockStop(int index) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_stop");
            g.writeNumberField("index", index);
            g.writeEndObject();
        });
    }
}
