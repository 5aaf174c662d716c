package dev.bsg.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.CountTokensInput;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ModelStreamErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;

/** The simulator's wire format judged by the AWS SDK v2, which we did not write. */
class SimulatorWithAwsSdkTest {
    static final BedrockSimulator SIM = BedrockSimulator.start();
    static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final String BODY =
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    static StaticCredentialsProvider credentials(String secret) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(BedrockSimulator.ACCESS_KEY, secret));
    }

    static BedrockRuntimeClient client(String secret) {
        return BedrockRuntimeClient.builder()
                .endpointOverride(URI.create(SIM.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(secret))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
                .build();
    }

    @BeforeEach
    void reset() {
        SIM.reset();
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }

    @Test
    void invokeModelRoundTripsAndVerifiesTheSignature() {
        try (BedrockRuntimeClient client = client(BedrockSimulator.SECRET_KEY)) {
            var response = client.invokeModel(
                    r -> r.modelId(MODEL).contentType("application/json").body(SdkBytes.fromUtf8String(BODY)));
            assertThat(response.body().asUtf8String())
                    .contains("\"type\":\"message\"")
                    .contains("Hello from the Bedrock simulator.");
            assertThat(response.contentType()).isEqualTo("application/json");
        }
        ReceivedRequest received = SIM.lastRequest();
        assertThat(received.signatureValid()).isTrue();
        assertThat(received.modelId()).isEqualTo(MODEL);
        assertThat(received.path()).contains("%3A0");
    }

    @Test
    void aWrongSecretIsRefusedLikeAws() {
        try (BedrockRuntimeClient client = client("not-the-secret")) {
            assertThatThrownBy(() -> client.invokeModel(r -> r.modelId(MODEL).body(SdkBytes.fromUtf8String(BODY))))
                    .isInstanceOf(BedrockRuntimeException.class)
                    .hasMessageContaining("signature we calculated does not match");
        }
        assertThat(SIM.lastRequest().signatureValid()).isFalse();
    }

    @Test
    void throttlingIsAModeledError() {
        SIM.failNext(Fault.THROTTLE);
        try (BedrockRuntimeClient client = client(BedrockSimulator.SECRET_KEY)) {
            assertThatThrownBy(() -> client.invokeModel(r -> r.modelId(MODEL).body(SdkBytes.fromUtf8String(BODY))))
                    .isInstanceOf(ThrottlingException.class)
                    .hasMessageContaining("Too many tokens");
        }
    }

    @Test
    void converseAndCountTokens() {
        try (BedrockRuntimeClient client = client(BedrockSimulator.SECRET_KEY)) {
            var converse = client.converse(r -> r.modelId(MODEL)
                    .messages(Message.builder()
                            .role(ConversationRole.USER)
                            .content(ContentBlock.fromText("hi"))
                            .build()));
            assertThat(converse.output().message().content().get(0).text())
                    .isEqualTo("Hello from the Bedrock simulator.");
            assertThat(converse.usage().outputTokens()).isPositive();
            var count = client.countTokens(r -> r.modelId("anthropic.claude-sonnet-4-5-20250929-v1:0")
                    .input(CountTokensInput.fromInvokeModel(b -> b.body(SdkBytes.fromUtf8String(BODY)))));
            assertThat(count.inputTokens()).isEqualTo(BODY.getBytes(StandardCharsets.UTF_8).length / 4);
        }
    }

    static BedrockRuntimeAsyncClient asyncClient() {
        return BedrockRuntimeAsyncClient.builder()
                .endpointOverride(URI.create(SIM.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(BedrockSimulator.SECRET_KEY))
                .httpClient(NettyNioAsyncHttpClient.create())
                .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
                .build();
    }

    @Test
    void asyncStreamingDecodesEveryChunk() throws Exception {
        SIM.defaultReply(Reply.text("one two three four five").withDeltas(5));
        List<String> chunks = new ArrayList<>();
        try (BedrockRuntimeAsyncClient client = asyncClient()) {
            client.invokeModelWithResponseStream(
                            r -> r.modelId(MODEL).body(SdkBytes.fromUtf8String(BODY)),
                            InvokeModelWithResponseStreamResponseHandler.builder()
                                    .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                                            .onChunk(c -> chunks.add(c.bytes().asUtf8String()))
                                            .build())
                                    .build())
                    .get(10, TimeUnit.SECONDS);
        }
        assertThat(chunks).first().asString().contains("message_start");
        assertThat(chunks).last().asString().contains("amazon-bedrock-invocationMetrics");
        assertThat(chunks.stream().filter(c -> c.contains("text_delta"))).hasSize(5);
    }

    @Test
    void asyncStreamingSurfacesAnExceptionFrame() {
        SIM.failNext(Fault.STREAM_EXCEPTION);
        try (BedrockRuntimeAsyncClient client = asyncClient()) {
            var future = client.invokeModelWithResponseStream(
                    r -> r.modelId(MODEL).body(SdkBytes.fromUtf8String(BODY)),
                    InvokeModelWithResponseStreamResponseHandler.builder()
                            .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                                    .build())
                            .build());
            assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ModelStreamErrorException.class);
        }
    }

    @Test
    void converseStreamDeliversTheText() throws Exception {
        StringBuilder text = new StringBuilder();
        try (BedrockRuntimeAsyncClient client = asyncClient()) {
            client.converseStream(
                            r -> r.modelId(MODEL)
                                    .messages(Message.builder()
                                            .role(ConversationRole.USER)
                                            .content(ContentBlock.fromText("hi"))
                                            .build()),
                            ConverseStreamResponseHandler.builder()
                                    .subscriber(ConverseStreamResponseHandler.Visitor.builder()
                                            .onContentBlockDelta(
                                                    d -> text.append(d.delta().text()))
                                            .build())
                                    .build())
                    .get(10, TimeUnit.SECONDS);
        }
        assertThat(text.toString()).isEqualTo("Hello from the Bedrock simulator.");
    }
}
