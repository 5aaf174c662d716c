package dev.bsg.gateway.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The tokens one request used, as the upstream itself accounted them: from a Message's or a stream's
 * {@code usage}, Bedrock's invocation metrics, Converse usage, or the token-count headers. Later,
 * more complete figures replace earlier ones; nothing is summed twice.
 */
public final class Usage {
    private long input;
    private long output;
    private long cacheRead;
    private long cacheWrite5m;
    private long cacheWrite1h;
    private @Nullable String region;
    private @Nullable String upstreamModel;
    private boolean clientAborted;
    private long costNanos = -1;
    private @Nullable String priceVersion;

    public long input() {
        return input;
    }

    public long output() {
        return output;
    }

    public long cacheRead() {
        return cacheRead;
    }

    public long cacheWrite5m() {
        return cacheWrite5m;
    }

    public long cacheWrite1h() {
        return cacheWrite1h;
    }

    public @Nullable String region() {
        return region;
    }

    public void region(String region) {
        this.region = region;
    }

    /** The Bedrock model ID sent upstream (profile ID, base ID or ARN): what the price depends on. */
    public @Nullable String upstreamModel() {
        return upstreamModel;
    }

    public void upstreamModel(String modelId) {
        this.upstreamModel = modelId;
    }

    /** Nanodollars, once priced; -1 before. */
    public long costNanos() {
        return costNanos;
    }

    public @Nullable String priceVersion() {
        return priceVersion;
    }

    public void priced(long nanos, String version) {
        this.costNanos = nanos;
        this.priceVersion = version;
    }

    public long totalTokens() {
        try {
            return Math.addExact(
                    Math.addExact(Math.addExact(input, output), Math.addExact(cacheRead, cacheWrite5m)), cacheWrite1h);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // figures no real upstream sends; counted as "a lot", never as negative
        }
    }

    public boolean clientAborted() {
        return clientAborted;
    }

    public void clientAborted(boolean aborted) {
        this.clientAborted = aborted;
    }

    /** An Anthropic {@code usage} object (a Message's, message_start's or message_delta's, which is cumulative). */
    public void anthropicUsage(@Nullable JsonNode usage) {
        if (usage == null || !usage.isObject()) return;
        if (usage.has("input_tokens")) input = usage.path("input_tokens").asLong();
        if (usage.has("output_tokens")) output = usage.path("output_tokens").asLong();
        if (usage.has("cache_read_input_tokens"))
            cacheRead = usage.path("cache_read_input_tokens").asLong();
        JsonNode creation = usage.path("cache_creation");
        if (creation.isObject()) {
            cacheWrite5m = creation.path("ephemeral_5m_input_tokens").asLong();
            cacheWrite1h = creation.path("ephemeral_1h_input_tokens").asLong();
        } else if (usage.has("cache_creation_input_tokens")) {
            cacheWrite5m = usage.path("cache_creation_input_tokens").asLong();
        }
    }

    /** One event of an Anthropic stream (already decoded from Bedrock's chunk). */
    public void streamEvent(String type, byte[] json) {
        if (!"message_start".equals(type) && !"message_delta".equals(type) && !"message_stop".equals(type)) return;
        JsonNode event = parse(json);
        if (event == null) return;
        switch (type) {
            case "message_start" -> anthropicUsage(event.path("message").path("usage"));
            case "message_delta" -> anthropicUsage(event.path("usage"));
            default -> {
                JsonNode metrics = event.path("amazon-bedrock-invocationMetrics");
                if (metrics.isObject()) {
                    input = metrics.path("inputTokenCount").asLong(input);
                    output = metrics.path("outputTokenCount").asLong(output);
                    if (metrics.has("cacheReadInputTokenCount"))
                        cacheRead = metrics.path("cacheReadInputTokenCount").asLong();
                }
            }
        }
    }

    /**
     * Bedrock's token-count headers on a non-streaming answer: the figures to keep when the body has no
     * usage of its own (a model whose answer isn't Anthropic-shaped); a body's usage read after replaces them.
     */
    public void tokenHeaders(UnaryOperator<String> header) {
        input = number(header.apply("x-amzn-bedrock-input-token-count"), input);
        output = number(header.apply("x-amzn-bedrock-output-token-count"), output);
        cacheRead = number(header.apply("x-amzn-bedrock-cache-read-input-token-count"), cacheRead);
        cacheWrite5m = number(header.apply("x-amzn-bedrock-cache-write-input-token-count"), cacheWrite5m);
    }

    private static long number(String text, long fallback) {
        if (text == null) return fallback;
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** A whole Anthropic Message body (non-streaming InvokeModel). */
    public void messageBody(byte[] body) {
        JsonNode usage = topLevelUsage(body);
        if (usage != null) anthropicUsage(usage);
    }

    /** Converse's {@code usage} (a Converse response, or a ConverseStream metadata event). */
    public void converseUsage(@Nullable JsonNode usage) {
        if (usage == null || !usage.isObject()) return;
        input = usage.path("inputTokens").asLong(input);
        output = usage.path("outputTokens").asLong(output);
        cacheRead = usage.path("cacheReadInputTokens").asLong(cacheRead);
        cacheWrite5m = usage.path("cacheWriteInputTokens").asLong(cacheWrite5m);
    }

    public void converseBody(byte[] body) {
        converseUsage(topLevelUsage(body));
    }

    /** A response's top-level {@code usage}, read without building the rest of it (the answer itself can be long). */
    private static @Nullable JsonNode topLevelUsage(byte[] json) {
        try (JsonParser parser = Json.FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) return null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("usage")) return Json.MAPPER.readTree(parser);
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static @Nullable JsonNode parse(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }
}
