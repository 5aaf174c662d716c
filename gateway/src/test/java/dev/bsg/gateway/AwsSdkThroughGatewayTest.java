package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bsg.simulator.Fault;
import dev.bsg.simulator.ReceivedRequest;
import dev.bsg.simulator.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.CountTokensInput;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ModelStreamErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * The AWS SDK v2 Bedrock Runtime client, pointed at {@code /bedrock} with a gateway API key as its
 * Bedrock API key: our Bedrock door judged by a parser we did not write.
 */
class AwsSdkThroughGatewayTest {
    static final String BODY =
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"system\":[{\"type\":\"text\",\"text\":\"be brief\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(
            Map.of("BSG_MODELS__ALLOWED_ACCOUNTS", "123456789012")); // the account of the profile ARN below

    static BedrockRuntimeClient client;
    static BedrockRuntimeAsyncClient asyncClient;

    @BeforeAll
    static void start() {
        // The SDK's documented way to use a Bedrock API key; it reads the system property when the client is built.
        System.setProperty("aws.bearerTokenBedrock", gw.apiKey);
        try {
            client = BedrockRuntimeClient.builder()
                    .endpointOverride(URI.create(gw.url() + "/bedrock"))
                    .region(Region.US_EAST_1)
                    .httpClient(UrlConnectionHttpClient.create())
                    .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
                    .build();
            asyncClient = BedrockRuntimeAsyncClient.builder()
                    .endpointOverride(URI.create(gw.url() + "/bedrock"))
                    .region(Region.US_EAST_1)
                    .httpClient(NettyNioAsyncHttpClient.create())
                    .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
                    .build();
        } finally {
            System.clearProperty("aws.bearerTokenBedrock");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        asyncClient.close();
    }

    static void assertForwardedCleanly(ReceivedRequest received, String expectedBody) {
        assertThat(received.signatureValid())
                .as("re-signed with the gateway's AWS credentials")
                .isTrue();
        assertThat(received.header("authorization"))
                .startsWith("AWS4-HMAC-SHA256")
                .doesNotContain(gw.apiKey);
        assertThat(received.headers().toString()).doesNotContain(gw.apiKey);
        if (expectedBody != null) assertThat(received.bodyText()).isEqualTo(expectedBody);
    }

    @Test
    void invokeModelPassesTheBodyThroughAndReSigns() {
        var response = client.invokeModel(r -> r.modelId(PROFILE)
                .contentType("application/json")
                .accept("application/json")
                .body(SdkBytes.fromUtf8String(BODY)));
        assertThat(response.body().asUtf8String()).contains("Hello from the Bedrock simulator.");
        assertForwardedCleanly(gw.simulator.lastRequest(), BODY);
        assertThat(gw.simulator.lastRequest().modelId()).isEqualTo(PROFILE);
    }

    @Test
    void applicationInferenceProfileArnsSurviveTheRoundTrip() {
        String arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3";
        client.invokeModel(r -> r.modelId(arn).body(SdkBytes.fromUtf8String(BODY)));
        assertThat(gw.simulator.lastRequest().modelId()).isEqualTo(arn);
        assertForwardedCleanly(gw.simulator.lastRequest(), BODY);
    }

    @Test
    void streamingFramesArriveUnchanged() throws Exception {
        gw.simulator.defaultReply(Reply.text("alpha beta gamma delta").withDeltas(4));
        List<String> chunks = new ArrayList<>();
        asyncClient
                .invokeModelWithResponseStream(
                        r -> r.modelId(PROFILE).body(SdkBytes.fromUtf8String(BODY)),
                        InvokeModelWithResponseStreamResponseHandler.builder()
                                .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                                        .onChunk(c -> chunks.add(c.bytes().asUtf8String()))
                                        .build())
                                .build())
                .get(10, TimeUnit.SECONDS);
        assertThat(chunks).hasSize(9);
        assertThat(chunks.stream().filter(c -> c.contains("text_delta"))).hasSize(4);
        assertThat(chunks.get(8)).contains("amazon-bedrock-invocationMetrics");
        assertForwardedCleanly(gw.simulator.lastRequest(), BODY);
    }

    @Test
    void aMidStreamExceptionFrameReachesTheSdkAsTheModeledException() {
        gw.simulator.failNext(Fault.STREAM_EXCEPTION);
        var future = asyncClient.invokeModelWithResponseStream(
                r -> r.modelId(PROFILE).body(SdkBytes.fromUtf8String(BODY)),
                InvokeModelWithResponseStreamResponseHandler.builder()
                        .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                                .build())
                        .build());
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ModelStreamErrorException.class);
    }

    @Test
    void aCutUpstreamBecomesAnExceptionFrameNotASilentEnd() {
        gw.simulator.failNext(Fault.RESET_MID_STREAM);
        var future = asyncClient.invokeModelWithResponseStream(
                r -> r.modelId(PROFILE).body(SdkBytes.fromUtf8String(BODY)),
                InvokeModelWithResponseStreamResponseHandler.builder()
                        .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                                .build())
                        .build());
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).hasMessageContaining("upstream");
    }

    @Test
    void converseAndConverseStream() throws Exception {
        Message hi = Message.builder()
                .role(ConversationRole.USER)
                .content(ContentBlock.fromText("hi"))
                .build();
        var converse = client.converse(r -> r.modelId(PROFILE).messages(hi));
        assertThat(converse.output().message().content().get(0).text()).isEqualTo("Hello from the Bedrock simulator.");
        assertForwardedCleanly(gw.simulator.lastRequest(), null);
        StringBuilder text = new StringBuilder();
        asyncClient
                .converseStream(
                        r -> r.modelId(PROFILE).messages(hi),
                        ConverseStreamResponseHandler.builder()
                                .subscriber(ConverseStreamResponseHandler.Visitor.builder()
                                        .onContentBlockDelta(
                                                d -> text.append(d.delta().text()))
                                        .build())
                                .build())
                .get(10, TimeUnit.SECONDS);
        assertThat(text.toString()).isEqualTo("Hello from the Bedrock simulator.");
    }

    @Test
    void countTokensIsExact() {
        var count = client.countTokens(r -> r.modelId("anthropic.claude-sonnet-4-5-20250929-v1:0")
                .input(CountTokensInput.fromInvokeModel(b -> b.body(SdkBytes.fromUtf8String(BODY)))));
        assertThat(count.inputTokens()).isEqualTo(BODY.length() / 4);
    }

    @Test
    void upstreamErrorsKeepTheirTypeAndWording() {
        gw.simulator.failNext(
                Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE);
        assertThatThrownBy(() -> client.invokeModel(r -> r.modelId(PROFILE).body(SdkBytes.fromUtf8String(BODY))))
                .isInstanceOf(ThrottlingException.class)
                .hasMessageContaining("Too many tokens, please wait before trying again.");
        assertThat(gw.simulator.received()).as("3 tries in each of 2 regions").hasSize(6);
        assertThatThrownBy(() ->
                        client.invokeModel(r -> r.modelId(PROFILE).body(SdkBytes.fromUtf8String("{\"messages\":[]}"))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("anthropic_version");
    }

    @Test
    void aBadModelIdIsAValidationErrorThatNeverReachesUpstream() {
        var response = gw.send(
                "POST",
                "/bedrock/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F..%2F..%2Fguardrail/invoke",
                BODY,
                "Authorization",
                "Bearer " + gw.apiKey);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("x-amzn-errortype")).hasValue("ValidationException");
        assertThat(gw.simulator.received()).isEmpty();
    }
}
