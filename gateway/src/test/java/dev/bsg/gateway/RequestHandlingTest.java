package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.BedrockSimulator;
import dev.bsg.simulator.Fault;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad input, upstream trouble and discovery endpoints: each answered clearly in the client's own dialect. */
class RequestHandlingTest {
    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String INVOKE = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8,\"messages\":[]}";

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    static void assertAnthropicError(HttpResponse<String> response, int status, String type, String messagePart)
            throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo(type);
        assertThat(body.at("/error/message").asText()).contains(messagePart);
        assertThat(body.get("request_id").asText()).startsWith("req_");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badInputOnTheAnthropicDoor() throws Exception {
        assertAnthropicError(gw.post("/v1/messages", "{not json"), 400, "invalid_request_error", "not valid JSON");
        assertAnthropicError(
                gw.post("/v1/messages", "{\"max_tokens\":1,\"messages\":[]}"), 400, "invalid_request_error", "model");
        assertAnthropicError(
                gw.post("/v1/messages", MESSAGE.replace("claude-sonnet-4-5", "gpt-4o")),
                404,
                "not_found_error",
                "gpt-4o");
        assertAnthropicError(
                gw.post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"pad\":\"" + "x".repeat(1_100_000) + "\"}"),
                413,
                "request_too_large",
                "exceeds the limit");
        assertAnthropicError(
                gw.send("GET", "/v1/messages", null, "x-api-key", gw.apiKey),
                405,
                "invalid_request_error",
                "not allowed");
        assertAnthropicError(gw.send("POST", "/v2/nothing", "{}"), 404, "not_found_error", "no such endpoint");
        assertThat(gw.simulator.received()).as("none of these reached Bedrock").isEmpty();
    }

    @Test
    void credentialsAreRequiredAndChecked() throws Exception {
        assertAnthropicError(
                gw.send("POST", "/v1/messages", MESSAGE), 401, "authentication_error", "missing credential");
        assertAnthropicError(
                gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", "SSOK_" + "A".repeat(32)),
                401,
                "authentication_error",
                "invalid API key");
        assertAnthropicError(
                gw.send("POST", "/v1/messages", MESSAGE, "Authorization", "Bearer sk-ant-something"),
                401,
                "authentication_error",
                "invalid credential");
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "Authorization", "Bearer " + gw.apiKey)
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> sigv4 = gw.send(
                "POST",
                "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke",
                INVOKE,
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIA/20261125/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00");
        assertThat(sigv4.statusCode()).isEqualTo(403);
        assertThat(sigv4.headers().firstValue("x-amzn-errortype")).hasValue("UnrecognizedClientException");
        assertThat(json(sigv4).get("message").asText()).contains("AWS_BEARER_TOKEN_BEDROCK");
    }

    @Test
    void bedrockDoorErrorsUseBedrocksShape() throws Exception {
        HttpResponse<String> tooBig = gw.send(
                "POST",
                "/model/us.anthropic.claude-sonnet-4-6/invoke",
                "x".repeat(1_100_000),
                "Authorization",
                "Bearer " + gw.apiKey);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(json(tooBig).has("message")).isTrue();
        HttpResponse<String> upstream400 = gw.send(
                "POST",
                "/model/us.anthropic.claude-sonnet-4-6/invoke",
                "{\"messages\":[]}",
                "Authorization",
                "Bearer " + gw.apiKey);
        assertThat(upstream400.statusCode()).isEqualTo(400);
        assertThat(upstream400.headers().firstValue("x-amzn-errortype"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("ValidationException"));
        assertThat(json(upstream400).get("message").asText()).startsWith("Malformed input request");
    }

    @Test
    void retriesThenFailsOverToTheNextRegion() throws Exception {
        gw.simulator.failNext(Fault.UNAVAILABLE, Fault.THROTTLE, Fault.SERVER_ERROR);
        assertThat(gw.post("/v1/messages", MESSAGE).statusCode()).isEqualTo(200);
        var received = gw.simulator.received();
        assertThat(received).hasSize(4);
        assertThat(received.get(0).header("authorization")).contains("/us-east-1/bedrock/");
        assertThat(received.get(3).header("authorization")).contains("/us-west-2/bedrock/");
        assertThat(received).allMatch(r -> r.signatureValid());
    }

    @Test
    void anUnreachableUpstreamIsA503NotAStackTrace() throws Exception {
        try (TestDatabase own = TestDatabase.sqlite();
                TestGateway unreachable = TestGateway.start(
                        own.url(),
                        Map.of("BSG_UPSTREAM__ENDPOINT", "http://127.0.0.1:9", "BSG_UPSTREAM__RETRIES", "0"))) {
            assertAnthropicError(unreachable.post("/v1/messages", MESSAGE), 503, "api_error", "could not be reached");
        }
    }

    @Test
    void theAwsDefaultCredentialChainSignsUpstreamRequests() throws Exception {
        // System properties are one link of the default chain; environment, profiles, SSO, web identity and IMDS are
        // others.
        System.setProperty("aws.accessKeyId", BedrockSimulator.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", BedrockSimulator.SECRET_KEY);
        try (TestDatabase own = TestDatabase.sqlite();
                TestGateway chained = TestGateway.start(own.url(), Map.of("BSG_UPSTREAM__CREDENTIALS", "default"))) {
            assertThat(chained.post("/v1/messages", MESSAGE).statusCode()).isEqualTo(200);
            assertThat(chained.simulator.lastRequest().signatureValid()).isTrue();
            assertThat(chained.management("/readyz").statusCode()).isEqualTo(200);
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void readinessFailsWhenNoCredentialsCanBeFound() throws Exception {
        try (TestDatabase own = TestDatabase.sqlite();
                TestGateway profileless = TestGateway.start(
                        own.url(),
                        Map.of(
                                "BSG_UPSTREAM__CREDENTIALS",
                                "profile",
                                "BSG_UPSTREAM__PROFILE",
                                "no-such-profile-" + System.nanoTime()))) {
            HttpResponse<String> ready = profileless.management("/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(json(ready).at("/checks/upstream_credentials/status").asText())
                    .isEqualTo("failing");
            assertThat(json(ready).at("/checks/upstream_credentials/detail").asText())
                    .isNotBlank();
            assertAnthropicError(
                    profileless.post("/v1/messages", MESSAGE), 503, "api_error", "no usable AWS credentials");
            assertThat(profileless.simulator.received()).isEmpty();
        }
    }

    @Test
    void adminRightsCanComeFromIdentity() throws Exception {
        try (TestDatabase own = TestDatabase.sqlite();
                TestGateway byIdentity = TestGateway.start(
                        own.url(), Map.of("BSG_ADMIN__EMAILS", "Boss@Example.com", "BSG_ADMIN__GROUPS", "platform"))) {
            var users = byIdentity.gateway.users();
            var sessions = byIdentity.gateway.sessions();
            String boss = sessions.start(users.findOrCreate("boss@example.com", "Boss"), "s1", List.of())
                    .accessToken();
            String platform = sessions.start(users.findOrCreate("pat@example.com", "Pat"), "s2", List.of("platform"))
                    .accessToken();
            String plain = sessions.start(users.findOrCreate("joe@example.com", "Joe"), "s3", List.of("eng"))
                    .accessToken();
            assertThat(byIdentity
                            .send("GET", "/api/admin/users", null, "Authorization", "Bearer " + boss)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(byIdentity
                            .send("GET", "/api/admin/users", null, "Authorization", "Bearer " + platform)
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> refused =
                    byIdentity.send("GET", "/api/admin/users", null, "Authorization", "Bearer " + plain);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(json(refused).at("/error/message").asText()).contains("admin.emails");
        }
    }

    @Test
    void betasAndFieldsTheModelRefusesAreLearntAndDroppedInPairs() throws Exception {
        gw.simulator.rejectBetas("dangerous-tool-use-2026-09-03").rejectFields("context_management");
        String beta = "interleaved-thinking-2025-05-14,dangerous-tool-use-2026-09-03";
        assertThat(gw.post("/v1/messages", MESSAGE, "anthropic-beta", beta).statusCode())
                .isEqualTo(200);
        assertThat(gw.simulator.received()).hasSize(2);
        JsonNode retried = Json.MAPPER.readTree(gw.simulator.lastRequest().body());
        assertThat(retried.get("anthropic_beta").toString()).isEqualTo("[\"interleaved-thinking-2025-05-14\"]");

        String withField = MESSAGE.replace("}]}", "}],\"context_management\":{\"edits\":[]}}");
        gw.simulator.reset();
        gw.simulator.rejectFields("context_management");
        assertThat(gw.post(
                                "/v1/messages",
                                withField,
                                "anthropic-beta",
                                "context-management-2025-06-27,interleaved-thinking-2025-05-14")
                        .statusCode())
                .isEqualTo(200);
        JsonNode stripped = Json.MAPPER.readTree(gw.simulator.lastRequest().body());
        assertThat(stripped.has("context_management")).isFalse();
        assertThat(stripped.get("anthropic_beta").toString()).isEqualTo("[\"interleaved-thinking-2025-05-14\"]");

        gw.simulator.reset();
        assertThat(gw.post("/v1/messages", withField, "anthropic-beta", "context-management-2025-06-27")
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.simulator.received())
                .as("remembered for the model: one call")
                .hasSize(1);
    }

    @Test
    void discoveryEndpoints() throws Exception {
        assertThat(gw.send("HEAD", "/api/hello", null).statusCode()).isEqualTo(200);
        JsonNode models = json(gw.send("GET", "/v1/models?limit=1000", null, "x-api-key", gw.apiKey));
        assertThat(models.get("data").findValuesAsText("id"))
                .contains("claude-sonnet-4-5-20250929", "claude-opus-4-8", "claude-haiku-4-5-20251001");
        JsonNode profiles = json(gw.send(
                "GET",
                "/bedrock/inference-profiles?type=SYSTEM_DEFINED",
                null,
                "Authorization",
                "Bearer " + gw.apiKey));
        assertThat(profiles.get("inferenceProfileSummaries").findValuesAsText("inferenceProfileId"))
                .contains("us.anthropic.claude-sonnet-4-6");
        HttpResponse<String> one = gw.send(
                "GET",
                "/bedrock/inference-profiles/us.anthropic.claude-sonnet-4-6",
                null,
                "Authorization",
                "Bearer " + gw.apiKey);
        assertThat(json(one).get("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void prometheusMetricsCountRequestsByDoorModelAndStatus() {
        gw.post("/v1/messages", MESSAGE);
        gw.simulator.failNext(Fault.THROTTLE);
        gw.post("/v1/messages", MESSAGE);
        String metrics = gw.management("/metrics").body();
        assertThat(metrics)
                .contains(
                        "bsg_requests_seconds_count{door=\"anthropic\",model=\"claude-sonnet-4-5-20250929\",status=\"200\"}")
                .contains("bsg_time_to_first_byte_seconds_bucket")
                .contains(
                        "bsg_upstream_errors_total{model=\"claude-sonnet-4-5-20250929\",region=\"us-east-1\",type=\"ThrottlingException\"}");
    }
}
