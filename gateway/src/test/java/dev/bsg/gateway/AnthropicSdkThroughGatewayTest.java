package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.ThinkingConfigEnabled;
import com.anthropic.models.messages.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.Fault;
import dev.bsg.simulator.ReceivedRequest;
import dev.bsg.simulator.Reply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Anthropic Java SDK against {@code /anthropic}: plain, streaming, tool use, thinking. */
class AnthropicSdkThroughGatewayTest {
    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());

    static AnthropicClient client;

    @BeforeAll
    static void start() {
        client = AnthropicOkHttpClient.builder()
                .baseUrl(gw.url() + "/anthropic")
                .apiKey(gw.apiKey)
                .maxRetries(0)
                .build();
    }

    static MessageCreateParams.Builder params() {
        return MessageCreateParams.builder()
                .model("claude-sonnet-4-5")
                .maxTokens(256)
                .systemOfTextBlockParams(List.of(
                        TextBlockParam.builder()
                                .text("x-anthropic-billing-header: cc_version=2.1.332;")
                                .build(),
                        TextBlockParam.builder()
                                .text("You are terse.")
                                .cacheControl(CacheControlEphemeral.builder().build())
                                .build()))
                .putAdditionalHeader("anthropic-beta", "interleaved-thinking-2025-05-14,context-1m-2025-08-07")
                .addUserMessage("hello");
    }

    static JsonNode receivedBody() throws Exception {
        return Json.MAPPER.readTree(gw.simulator.lastRequest().body());
    }

    static void assertTranslated(ReceivedRequest received) throws Exception {
        assertThat(received.signatureValid()).isTrue();
        assertThat(received.headers().toString()).doesNotContain(gw.apiKey);
        assertThat(received.modelId()).isEqualTo("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        JsonNode body = receivedBody();
        assertThat(body.get("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
        assertThat(body.get("anthropic_beta").toString())
                .isEqualTo("[\"interleaved-thinking-2025-05-14\",\"context-1m-2025-08-07\"]");
        assertThat(body.has("model")).isFalse();
        assertThat(body.has("stream")).isFalse();
        assertThat(body.get("system").toString())
                .isEqualTo(
                        "[{\"text\":\"x-anthropic-billing-header: cc_version=2.1.332;\",\"type\":\"text\"},"
                                + "{\"text\":\"You are terse.\",\"type\":\"text\",\"cache_control\":{\"type\":\"ephemeral\"}}]");
    }

    @Test
    void plainMessage() throws Exception {
        Message message = client.messages().create(params().build());
        assertThat(message.content().get(0).asText().text()).isEqualTo("Hello from the Bedrock simulator.");
        assertTranslated(gw.simulator.lastRequest());
        assertThat(gw.simulator.lastRequest().operation()).isEqualTo("invoke");
    }

    @Test
    void streamingMessage() throws Exception {
        gw.simulator.defaultReply(Reply.text("one two three four five six").withDeltas(6));
        StringBuilder text = new StringBuilder();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params().build())) {
            stream.stream()
                    .forEach(e ->
                            e.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(t -> text.append(t.text())));
        }
        assertThat(text.toString()).isEqualTo("one two three four five six");
        assertTranslated(gw.simulator.lastRequest());
        assertThat(gw.simulator.lastRequest().operation()).isEqualTo("invoke-with-response-stream");
    }

    @Test
    void toolUse() throws Exception {
        gw.simulator.defaultReply(Reply.text("Let me check.").withToolUse("get_weather", "{\"city\":\"Paris\"}"));
        Tool tool = Tool.builder()
                .name("get_weather")
                .description("Weather for a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();
        Message message = client.messages().create(params().addTool(tool).build());
        assertThat(message.stopReason())
                .hasValueSatisfying(r -> assertThat(r.asString()).isEqualTo("tool_use"));
        var toolUse = message.content().stream()
                .filter(b -> b.isToolUse())
                .findFirst()
                .orElseThrow()
                .asToolUse();
        assertThat(toolUse.name()).isEqualTo("get_weather");
        assertThat(toolUse._input().toString()).contains("Paris");
        assertThat(receivedBody().get("tools").get(0).get("name").asText()).isEqualTo("get_weather");
    }

    @Test
    void thinkingBlocksAndSignaturesStream() throws Exception {
        gw.simulator.defaultReply(Reply.text("Answer.").withThinking("Let me think about this."));
        StringBuilder thinking = new StringBuilder();
        StringBuilder signature = new StringBuilder();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages()
                .createStreaming(params().thinking(ThinkingConfigEnabled.builder()
                                .budgetTokens(1024)
                                .build())
                        .build())) {
            stream.stream()
                    .forEach(e -> e.contentBlockDelta().ifPresent(d -> {
                        d.delta().thinking().ifPresent(t -> thinking.append(t.thinking()));
                        d.delta().signature().ifPresent(s -> signature.append(s.signature()));
                    }));
        }
        assertThat(thinking.toString()).isEqualTo("Let me think about this.");
        assertThat(signature.toString()).isNotEmpty();
        assertThat(receivedBody().get("thinking").get("budget_tokens").asInt()).isEqualTo(1024);
    }

    @Test
    void countTokensIsExactFromBedrock() {
        long tokens = client.messages()
                .countTokens(MessageCountTokensParams.builder()
                        .model("claude-sonnet-4-5")
                        .addUserMessage("count me")
                        .build())
                .inputTokens();
        ReceivedRequest received = gw.simulator.lastRequest();
        assertThat(received.operation()).isEqualTo("count-tokens");
        assertThat(received.modelId())
                .as("CountTokens takes the base model")
                .isEqualTo("anthropic.claude-sonnet-4-5-20250929-v1:0");
        assertThat(tokens).isPositive();
    }

    @Test
    void errorsComeBackAsTheSdksOwnExceptions() {
        assertThatThrownBy(
                        () -> client.messages().create(params().model("gpt-4o").build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("gpt-4o");
        gw.simulator.failNext(
                Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE);
        assertThatThrownBy(() -> client.messages().create(params().build()))
                .isInstanceOf(RateLimitException.class)
                .hasMessageContaining("Too many tokens");
    }
}
