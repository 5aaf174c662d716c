package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The real Claude Code exporting its OpenTelemetry to the gateway: the exports are relayed to a collector with the
 * identity of the key's owner, and the identity Claude Code was told to claim is gone.
 */
class ClaudeCodeTelemetryIT {
    @Test
    void claudeCodesOwnExportsAreRelayedWithTheAuthenticatedIdentity() throws Exception {
        ClaudeCodeEndToEndIT.claude = ClaudeCodeEndToEndIT.findClaude();
        List<OtlpRelayTest.Received> exports = new CopyOnWriteArrayList<>();
        HttpServer collector = OtlpRelayTest.receiver(exports, 200);
        Path config = Files.createTempFile("bsg-telemetry", ".yaml");
        Files.writeString(
                config,
                "telemetry:\n  forward_to: [{url: http://127.0.0.1:"
                        + collector.getAddress().getPort() + ", signals: [metrics, logs]}]\n");
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

            await().atMost(Duration.ofSeconds(30)).until(() -> !exports.isEmpty());
            List<Map<String, String>> resources = new ArrayList<>();
            for (OtlpRelayTest.Received export : exports) {
                if (export.path().equals("/v1/metrics")) {
                    ExportMetricsServiceRequest.parseFrom(export.body())
                            .getResourceMetricsList()
                            .forEach(r -> resources.add(OtlpRelayTest.attributes(r.getResource())));
                } else if (export.path().equals("/v1/logs")) {
                    ExportLogsServiceRequest.parseFrom(export.body())
                            .getResourceLogsList()
                            .forEach(r -> resources.add(OtlpRelayTest.attributes(r.getResource())));
                }
            }
            assertThat(resources).as("resources relayed from Claude Code").isNotEmpty();
            assertThat(resources)
                    .allSatisfy(resource -> assertThat(resource)
                            .containsEntry("user.email", "ana@example.com")
                            .containsEntry("identity.source", "bsg-gateway")
                            .doesNotContainValue("boss@example.com")
                            .doesNotContainValue("boss"));
            assertThat(resources.getFirst().get("service.name")).isEqualTo("claude-code");
        } finally {
            collector.stop(0);
        }
    }
}
