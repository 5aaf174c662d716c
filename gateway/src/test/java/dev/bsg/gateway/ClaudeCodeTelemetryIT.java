package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real Claude Code exporting its OpenTelemetry to the gateway: the exports are relayed to a collector with the
 * identity of the key's owner, and the identity Claude Code was told to claim is gone.
 */
class ClaudeCodeTelemetryIT {
    @Test
    void claudeCodesOwnExportsAreRelayedWithTheAuthenticatedIdentity() throws Exception {
        ClaudeCodeEndToEndIT.claude = ClaudeCodeEndToEndIT.findClaude();
        OtlpCollector collector = OtlpCollector.start(200);
        Path config = Files.createTempFile("bsg-telemetry", ".yaml");
        Files.writeString(
                config, "telemetry:\n  forward_to: [{url: " + collector.url() + ", signals: [metrics, logs]}]\n");
        try (TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(db.url(), Map.of(), config)) {
            String key = gw.newUserKey("ana@example.com");
            Map<String, String> env = new HashMap<>(Map.of(
                    "ANTHROPIC_BASE_URL", gw.url(),
                    "ANTHROPIC_API_KEY", key,
                    "CLAUDE_CODE_ENABLE_TELEMETRY", "1",
                    "OTEL_METRICS_EXPORTER", "otlp",
                    "OTEL_LOGS_EXPORTER", "otlp",
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", gw.url(),
                    "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=" + key,
                    "OTEL_METRIC_EXPORT_INTERVAL", "1000",
                    "OTEL_LOGS_EXPORT_INTERVAL", "1000"));
            env.put("OTEL_RESOURCE_ATTRIBUTES", "user.email=boss@example.com,user.id=boss");
            assertThat(ClaudeCodeEndToEndIT.runClaude(env).get("is_error").asBoolean())
                    .isFalse();

            await().atMost(Duration.ofSeconds(30)).until(() -> !collector.received.isEmpty());
            List<Map<String, String>> resources = collector.resources();
            assertThat(resources).as("resources relayed from Claude Code").isNotEmpty();
            assertThat(resources)
                    .allSatisfy(resource -> assertThat(resource)
                            .containsEntry("user.email", "ana@example.com")
                            .containsEntry("identity.source", "bsg-gateway")
                            .doesNotContainValue("boss@example.com")
                            .doesNotContainValue("boss"));
            assertThat(resources.getFirst().get("service.name")).isEqualTo("claude-code");

            // And summed for the person the gateway knows, next to what the gateway metered.
            JsonNode ana = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> {
                                gw.gateway.runBackgroundTasksNow();
                                for (JsonNode row : Json.MAPPER
                                        .readTree(gw.admin("GET", "/api/admin/productivity", null)
                                                .body())
                                        .get("data"))
                                    if (row.get("user").asText().equals("ana@example.com")) return row;
                                return null;
                            },
                            row -> row != null
                                    && row.get("sessions").asLong() >= 1
                                    && row.get("requests").asLong() >= 1);
            assertThat(new BigDecimal(ana.get("claude_code_cost_usd").asText())).isPositive();
        } finally {
            collector.close();
        }
    }
}
