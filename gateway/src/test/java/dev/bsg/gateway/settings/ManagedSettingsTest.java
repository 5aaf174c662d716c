package dev.bsg.gateway.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.auth.ApiKeyFormat;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.protocol.translate.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Managed settings by group and email domain: delivery with checksum, ETag and 304, and availableModels enforced. */
class ManagedSettingsTest {
    static final String POLICIES = """
            policies:
              - match: {groups: [contractors]}
                settings:
                  availableModels: [claude-sonnet-4-6]
                  permissions: {deny: [WebSearch]}
                  env: {EXTRA: "1"}
              - match: {email_domain: partner.example}
                settings: {availableModels: [claude-haiku-4-5]}
              - match: {}
                settings:
                  availableModels: [claude-opus-4-8, claude-sonnet-4-6, claude-haiku-4-5]
                  permissions: {deny: [WebFetch], allow: ["Bash(ls)"]}
                  env: {CLAUDE_CODE_ENABLE_TELEMETRY: "1", NOTE: "café"}
            """;
    static TestDatabase database;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        Path config = Files.createTempFile("bsg-policies", ".yaml");
        Files.writeString(config, POLICIES);
        database = TestDatabase.sqlite();
        gw = TestGateway.start(database.url(), Map.of(), config);
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
        database.close();
    }

    static String session(String email, List<String> groups) {
        return "Bearer "
                + gw.gateway
                        .sessions()
                        .start(gw.gateway.users().findOrCreate(email, null), email, groups)
                        .accessToken();
    }

    static String message(String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    @Test
    void aGroupRuleIsMergedOntoTheCatchAllAndServedInClaudeCodesWrapper() throws Exception {
        String contractor = session("casey@example.com", List.of("contractors"));
        HttpResponse<String> response = gw.send("GET", "/managed/settings", null, "Authorization", contractor);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(response.body());
        JsonNode settings = body.get("settings");
        assertThat(settings.get("availableModels").toString()).isEqualTo("[\"claude-sonnet-4-6\"]");
        assertThat(settings.at("/permissions/deny").toString()).isEqualTo("[\"WebFetch\",\"WebSearch\"]");
        assertThat(settings.at("/permissions/allow").toString()).isEqualTo("[\"Bash(ls)\"]");
        assertThat(settings.at("/env/EXTRA").asText()).isEqualTo("1");
        assertThat(settings.at("/env/CLAUDE_CODE_ENABLE_TELEMETRY").asText()).isEqualTo("1");

        // The checksum is SHA-256 over the settings with keys sorted at every level, no whitespace, non-ASCII escaped.
        String canonical =
                "{\"availableModels\":[\"claude-sonnet-4-6\"],\"env\":{\"CLAUDE_CODE_ENABLE_TELEMETRY\":\"1\",\"EXTRA\":\"1\",\"NOTE\":\"caf\\u00E9\"},"
                        + "\"permissions\":{\"allow\":[\"Bash(ls)\"],\"deny\":[\"WebFetch\",\"WebSearch\"]}}";
        String checksum = "sha256:" + Secrets.sha256(canonical);
        assertThat(body.get("checksum").asText()).isEqualTo(checksum);
        assertThat(body.get("uuid").asText()).isEqualTo(checksum);
        assertThat(response.headers().firstValue("etag")).hasValue("\"" + checksum + "\"");

        HttpResponse<String> unchanged = gw.send(
                "GET", "/managed/settings", null, "Authorization", contractor, "If-None-Match", "\"" + checksum + "\"");
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(gw.send(
                                "GET",
                                "/managed/settings",
                                null,
                                "Authorization",
                                contractor,
                                "If-None-Match",
                                "\"sha256:old\"")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void availableModelsIsEnforcedOnInferenceAndFiltersTheModelList() throws Exception {
        String contractor = session("casey@example.com", List.of("contractors"));
        HttpResponse<String> refused =
                gw.send("POST", "/v1/messages", message("claude-opus-4-8"), "Authorization", contractor);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("model claude-opus-4-8 is not in your role's availableModels allowlist");
        assertThat(gw.send("POST", "/v1/messages", message("claude-sonnet-4-6"), "Authorization", contractor)
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.send(
                                "POST",
                                "/bedrock/model/us.anthropic.claude-opus-4-8/invoke",
                                "{}",
                                "Authorization",
                                contractor)
                        .statusCode())
                .isEqualTo(400);
        JsonNode models = Json.MAPPER.readTree(
                gw.send("GET", "/v1/models", null, "Authorization", contractor).body());
        assertThat(models.get("data").findValuesAsText("id")).containsExactly("claude-sonnet-4-6");

        String everyone = session("ellen@example.com", List.of("eng"));
        assertThat(gw.send("POST", "/v1/messages", message("claude-opus-4-8"), "Authorization", everyone)
                        .statusCode())
                .isEqualTo(200);
        assertThat(Json.MAPPER
                        .readTree(gw.send("GET", "/v1/models", null, "Authorization", everyone)
                                .body())
                        .get("data"))
                .hasSize(3);
    }

    @Test
    void emailDomainRulesApplyToApiKeysToo() throws Exception {
        var partner = gw.gateway.users().findOrCreate("pat@partner.example", null);
        String key = ApiKeyFormat.generate();
        gw.gateway.keys().create(partner.id(), "p", Secrets.sha256(key), ApiKeyFormat.hint(key), null);
        assertThat(gw.send("POST", "/v1/messages", message("claude-sonnet-4-6"), "x-api-key", key)
                        .statusCode())
                .isEqualTo(400);
        assertThat(gw.send("POST", "/v1/messages", message("claude-haiku-4-5"), "x-api-key", key)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void noMatchingRuleMeansNoPolicyAndBadRulesFailAtStart() throws Exception {
        Path config = Files.createTempFile("bsg-policies", ".yaml");
        Files.writeString(
                config, "policies:\n  - match: {groups: [eng]}\n    settings: {availableModels: [claude-haiku-4-5]}\n");
        ManagedPolicies policies = SettingsLoader.load(config, Map.of()).policies();
        assertThat(policies.effective("x@example.com", List.of("sales"))).isNull();
        assertThat(policies.effective("x@example.com", List.of("eng"))).isNotNull();
        Files.writeString(config, "policies:\n  - match: {groups: []}\n    settings: {}\n");
        assertThatThrownBy(() -> SettingsLoader.load(config, Map.of()))
                .hasMessageContaining("policies[0].match.groups");
        Files.writeString(config, "policies:\n  - match: {group: [eng]}\n    settings: {}\n");
        assertThatThrownBy(() -> SettingsLoader.load(config, Map.of())).hasMessageContaining("policies[0].match.group");
        Files.writeString(config, "policies:\n  - match: {email_domain: 'not a domain'}\n");
        assertThatThrownBy(() -> SettingsLoader.load(config, Map.of())).hasMessageContaining("email_domain");
    }
}
