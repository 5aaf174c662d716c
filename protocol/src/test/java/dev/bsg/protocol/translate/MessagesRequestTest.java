package dev.bsg.protocol.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class MessagesRequestTest {
    static final String PUNCTUATION = "{}[],:\"\\ 0a";
    static final String SYSTEM = "[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: cc_version=2.1.332\"},"
            + "{\"type\":\"text\",\"text\":\"You are \\u00e9\\n careful\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}]";
    static final String BODY =
            "{\n  \"model\": \"claude-sonnet-4-5\",\n  \"max_tokens\": 1024,\n  \"temperature\": 0.70,\n  \"system\": "
                    + SYSTEM
                    + ",\n  \"messages\": [{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"EqQBCkYIAxgCIkD+/==\"}]}],"
                    + " \"stream\": true, \"future_field\": {\"nested\": [1, 2.50e3, null]}, \"anthropic_beta\": [\"context-1m-2025-08-07\"] }";

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsEveryOtherFieldByteForByte() {
        MessagesRequest request = MessagesRequest.parse(utf8(BODY), true);
        assertThat(request.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(request.stream()).isTrue();
        String bedrock = new String(
                request.toBedrockBody("interleaved-thinking-2025-05-14, context-1m-2025-08-07", Set.of(), Set.of()),
                StandardCharsets.UTF_8);
        assertThat(bedrock)
                .startsWith(
                        "{\"anthropic_version\":\"bedrock-2023-05-31\",\"anthropic_beta\":[\"context-1m-2025-08-07\",\"interleaved-thinking-2025-05-14\"]");
        assertThat(bedrock)
                .contains("\"system\": " + SYSTEM)
                .contains("\"temperature\": 0.70")
                .contains("\"signature\":\"EqQBCkYIAxgCIkD+/==\"")
                .contains("\"future_field\": {\"nested\": [1, 2.50e3, null]}");
        assertThat(bedrock).doesNotContain("\"model\"").doesNotContain("\"stream\"");
        assertThat(request.keptFieldNames())
                .containsExactly("max_tokens", "temperature", "system", "messages", "future_field");
    }

    @Test
    void theResultIsValidJsonWithTheSameValues() throws Exception {
        MessagesRequest request = MessagesRequest.parse(utf8(BODY), true);
        JsonNode original = Json.MAPPER.readTree(BODY);
        JsonNode bedrock = Json.MAPPER.readTree(request.toBedrockBody(null, Set.of(), Set.of()));
        for (String field : request.keptFieldNames())
            assertThat(bedrock.get(field)).isEqualTo(original.get(field));
        assertThat(bedrock.get("anthropic_beta").get(0).asText()).isEqualTo("context-1m-2025-08-07");
    }

    @Test
    void dropsConfiguredFieldsAndBetas() {
        MessagesRequest request = MessagesRequest.parse(utf8(BODY), true);
        String bedrock = new String(
                request.toBedrockBody(null, Set.of("context-1m-2025-08-07"), Set.of("future_field")),
                StandardCharsets.UTF_8);
        assertThat(bedrock)
                .doesNotContain("anthropic_beta")
                .doesNotContain("future_field")
                .endsWith("}");
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> MessagesRequest.parse(utf8("[]"), true))
                .hasMessage("request body must be a JSON object");
        assertThatThrownBy(() -> MessagesRequest.parse(utf8("{\"max_tokens\":1}"), true))
                .hasMessage("model: Field required");
        assertThatThrownBy(() -> MessagesRequest.parse(utf8("{\"model\":5}"), true))
                .hasMessage("model: Input should be a valid string");
        assertThatThrownBy(() -> MessagesRequest.parse(utf8("{\"model\":\"m\",\"stream\":\"yes\"}"), true))
                .hasMessageContaining("stream");
        assertThatThrownBy(() -> MessagesRequest.parse(utf8("{\"model\":\"m\"} {}"), true))
                .hasMessageContaining("after the JSON object");
        assertThatThrownBy(() -> MessagesRequest.parse(utf8("{\"model\":\"m\""), true))
                .hasMessageStartingWith("request body is not valid JSON");
    }

    @RepeatedTest(300)
    void mutatedBodiesEitherTranslateToValidJsonOrFailCleanly() throws Exception {
        Random random = new Random();
        byte[] body = utf8(BODY);
        for (int i = 0; i < 1 + random.nextInt(4); i++) {
            if (body.length == 0) break;
            int at = random.nextInt(body.length);
            switch (random.nextInt(3)) {
                case 0 -> body[at] = (byte) random.nextInt(128);
                case 1 -> body = Arrays.copyOf(body, at);
                default -> body[at] = (byte) PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()));
            }
        }
        MessagesRequest request;
        try {
            request = MessagesRequest.parse(body, false);
        } catch (InvalidRequestException expected) {
            return;
        }
        JsonNode translated = Json.MAPPER.readTree(request.toBedrockBody("b1,b2", Set.of(), Set.of()));
        assertThat(translated.get("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
        assertThat(translated.has("model")).isFalse();
    }
}
