package dev.bsg.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.bedrock.backends.BedrockBackend;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.regions.Region;

/** The simulator judged by the Anthropic Java SDK's Bedrock backend. */
class SimulatorWithAnthropicSdkTest {
    static final BedrockSimulator SIM = BedrockSimulator.start();

    @AfterAll
    static void stop() {
        SIM.close();
    }

    static AnthropicClient client() {
        return AnthropicOkHttpClient.builder()
                .backend(BedrockBackend.builder()
                        .awsCredentials(
                                AwsBasicCredentials.create(BedrockSimulator.ACCESS_KEY, BedrockSimulator.SECRET_KEY))
                        .region(Region.US_WEST_2)
                        .baseUrl(SIM.endpoint())
                        .build())
                .maxRetries(0)
                .build();
    }

    static MessageCreateParams params() {
        return MessageCreateParams.builder()
                .model("us.anthropic.claude-sonnet-4-6")
                .maxTokens(100)
                .addUserMessage("hello")
                .build();
    }

    @Test
    void plainMessage() {
        Message message = client().messages().create(params());
        assertThat(message.content().get(0).asText().text()).isEqualTo("Hello from the Bedrock simulator.");
        assertThat(message.usage().outputTokens()).isPositive();
        assertThat(SIM.lastRequest().signatureValid()).isTrue();
    }

    @Test
    void anArnVersionedModelRefusesTheSdksDatedVersionAsBedrockDoes() {
        var params = params().toBuilder()
                .model("us.anthropic.claude-haiku-4-5-20251001-v1:0")
                .build();
        Assertions.assertThatThrownBy(() -> client().messages().create(params))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("anthropic_version");
    }

    @Test
    void streamedMessage() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(params())) {
            stream.stream()
                    .forEach(event -> event.contentBlockDelta()
                            .ifPresent(d -> d.delta().text().ifPresent(t -> text.append(t.text()))));
        }
        assertThat(text.toString()).isEqualTo("Hello from the Bedrock simulator.");
        assertThat(SIM.lastRequest().operation()).isEqualTo("invoke-with-response-stream");
    }
}
