package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** POST /v1/metrics|logs|traces: stamped with the authenticated identity, relayed, never a failure to the client. */
class OtlpRelayTest {
    private static Path config(String telemetry) throws Exception {
        Path file = Files.createTempFile("bsg-telemetry", ".yaml");
        Files.writeString(file, "telemetry:\n  " + telemetry + "\n");
        return file;
    }

    private static byte[] claimedMetrics(String claimedEmail) {
        return ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder()
                                .addAttributes(attribute("service.name", "claude-code"))
                                .addAttributes(attribute("user.email", claimedEmail))
                                .addAttributes(attribute("user.id", "someone-else")))
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .addMetrics(Metric.newBuilder()
                                        .setName("claude_code.lines_of_code.count")
                                        .setSum(Sum.newBuilder()
                                                .addDataPoints(NumberDataPoint.newBuilder()
                                                        .addAttributes(attribute("type", "added"))
                                                        .addAttributes(attribute("user.email", claimedEmail))
                                                        .addAttributes(attribute("user.id", "someone-else"))
                                                        .setAsInt(12))))))
                .build()
                .toByteArray();
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    private static HttpResponse<byte[]> export(TestGateway gw, String path, String type, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.url() + path))
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) request.headers(headers);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void exportsAreStampedWithWhoSignedInAndRelayed() throws Exception {
        try (OtlpCollector collector = OtlpCollector.start(200);
                TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(
                        db.url(),
                        Map.of(),
                        config("forward_to: [{url: " + collector.url()
                                + ", signals: [metrics, logs], headers: {x-tenant: acme}}]"))) {
            String key = gw.newUserKey("ana@example.com");

            HttpResponse<byte[]> anonymous = export(gw, "/v1/metrics", "application/x-protobuf", claimedMetrics("x@y"));
            assertThat(anonymous.statusCode()).isEqualTo(401);

            HttpResponse<byte[]> ok = export(
                    gw, "/v1/metrics", "application/x-protobuf", claimedMetrics("boss@example.com"), "x-api-key", key);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> collector.received.size() == 1);
            OtlpCollector.Received metrics = collector.received.getFirst();
            assertThat(metrics.path()).isEqualTo("/v1/metrics");
            assertThat(metrics.contentType()).isEqualTo("application/x-protobuf");
            assertThat(metrics.tenant()).as("the destination's own headers").isEqualTo("acme");
            Map<String, String> resource =
                    OtlpCollector.attributes(ExportMetricsServiceRequest.parseFrom(metrics.body())
                            .getResourceMetrics(0)
                            .getResource());
            assertThat(resource)
                    .containsEntry("user.email", "ana@example.com")
                    .containsEntry("identity.source", "bsg-gateway")
                    .containsEntry("service.name", "claude-code")
                    .doesNotContainValue("boss@example.com")
                    .doesNotContainValue("someone-else");
            List<KeyValue> point = ExportMetricsServiceRequest.parseFrom(metrics.body())
                    .getResourceMetrics(0)
                    .getScopeMetrics(0)
                    .getMetrics(0)
                    .getSum()
                    .getDataPoints(0)
                    .getAttributesList();
            assertThat(point.stream()
                            .collect(Collectors.toMap(
                                    KeyValue::getKey, kv -> kv.getValue().getStringValue())))
                    .as("Claude Code repeats the identity on each data point: overwritten there too")
                    .containsEntry("user.email", "ana@example.com")
                    .containsEntry("type", "added")
                    .doesNotContainValue("someone-else")
                    .hasSize(3);

            // OTLP/JSON, gzipped, for logs.
            String logs = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"user.email\",\"value\":"
                    + "{\"stringValue\":\"boss@example.com\"}}]},\"scopeLogs\":[{\"logRecords\":[{\"attributes\":"
                    + "[{\"key\":\"user.email\",\"value\":{\"stringValue\":\"boss@example.com\"}},{\"key\":"
                    + "\"enduser.id\",\"value\":{\"stringValue\":\"boss\"}},{\"key\":\"event.name\",\"value\":"
                    + "{\"stringValue\":\"api_request\"}}]}]}]}]}";
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write(logs.getBytes(StandardCharsets.UTF_8));
            }
            HttpResponse<byte[]> json = export(
                    gw,
                    "/v1/logs",
                    "application/json",
                    zipped.toByteArray(),
                    "x-api-key",
                    key,
                    "Content-Encoding",
                    "gzip");
            assertThat(json.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> collector.received.size() == 2);
            JsonNode relayed = Json.MAPPER.readTree(collector.received.get(1).body());
            assertThat(relayed.at("/resourceLogs/0/resource/attributes").toString())
                    .contains("ana@example.com")
                    .doesNotContain("boss@example.com");
            assertThat(relayed.at("/resourceLogs/0/scopeLogs/0/logRecords/0/attributes")
                            .toString())
                    .isEqualTo("[{\"key\":\"user.email\",\"value\":{\"stringValue\":\"ana@example.com\"}},"
                            + "{\"key\":\"event.name\",\"value\":{\"stringValue\":\"api_request\"}}]");

            // Traces are not taken by this destination: accepted, not relayed.
            assertThat(export(gw, "/v1/traces", "application/x-protobuf", new byte[0], "x-api-key", key)
                            .statusCode())
                    .isEqualTo(200);

            // Garbage is refused in the client's format, and nothing is relayed.
            assertThat(export(
                                    gw,
                                    "/v1/metrics",
                                    "application/x-protobuf",
                                    new byte[] {(byte) 0xff, 1, 2},
                                    "x-api-key",
                                    key)
                            .statusCode())
                    .isEqualTo(400);
            assertThat(export(gw, "/v1/metrics", "text/plain", new byte[] {1}, "x-api-key", key)
                            .statusCode())
                    .isEqualTo(415);
            Thread.sleep(300);
            assertThat(collector.received).hasSize(2);
        }
    }

    @Test
    void signedInClaudeCodeIsToldToSendItsTelemetryHereUnlessAPolicySaysOtherwise() throws Exception {
        Path file = Files.createTempFile("bsg-telemetry", ".yaml");
        Files.writeString(file, """
                server:
                  public_url: https://claude.acme.example/
                telemetry:
                  forward_to: [{url: https://collector.acme.example:4318}]
                policies:
                  - match: {groups: [contractors]}
                    settings: {env: {OTEL_LOGS_EXPORTER: none}}
                  - match: {}
                    settings: {availableModels: [claude-sonnet-4-5]}
                """);
        try (TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(db.url(), Map.of(), file)) {
            String key = gw.newUserKey("ana@example.com");
            JsonNode managed =
                    Json.MAPPER.readTree(gw.send("GET", "/managed/settings", null, "Authorization", "Bearer " + key)
                            .body());
            JsonNode env = managed.path("settings").path("env");
            assertThat(env.path("OTEL_EXPORTER_OTLP_ENDPOINT").asText()).isEqualTo("https://claude.acme.example");
            assertThat(env.path("OTEL_EXPORTER_OTLP_PROTOCOL").asText()).isEqualTo("http/protobuf");
            assertThat(env.path("CLAUDE_CODE_ENABLE_TELEMETRY").asText()).isEqualTo("1");
            assertThat(env.path("OTEL_LOGS_EXPORTER").asText()).isEqualTo("otlp");
            assertThat(managed.path("settings").path("availableModels").toString())
                    .contains("claude-sonnet-4-5");
        }
    }

    @Test
    void aDestinationThatIsDownDropsAndCountsWithoutFailingTheClient() throws Exception {
        // The collector refuses everything: dropped at once, no retries.
        try (OtlpCollector collector = OtlpCollector.start(400);
                TestDatabase db = TestDatabase.sqlite();
                TestGateway gw =
                        TestGateway.start(db.url(), Map.of(), config("forward_to: [{url: " + collector.url() + "}]"))) {
            String key = gw.newUserKey("ana@example.com");
            for (int i = 0; i < 3; i++) {
                assertThat(export(gw, "/v1/metrics", "application/x-protobuf", claimedMetrics("x@y"), "x-api-key", key)
                                .statusCode())
                        .isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> gw.management("/metrics")
                            .body()
                            .lines()
                            .anyMatch(l -> l.startsWith("bsg_telemetry_dropped_total")
                                    && l.contains("reason=\"failed\"")
                                    && l.endsWith(" 3.0")));
        }
    }

    @Test
    void theGatewaysOwnUsageGoesToMetricsDestinationsAsOtlp() throws Exception {
        try (OtlpCollector collector = OtlpCollector.start(200);
                TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(
                        db.url(),
                        Map.of("BSG_TELEMETRY__USAGE_METRICS_SECONDS", "1"),
                        config("forward_to: [{url: " + collector.url() + "}]"))) {
            String key = gw.newUserKey("metered@example.com");
            for (int i = 0; i < 3; i++)
                assertThat(gw.send(
                                        "POST",
                                        "/v1/messages",
                                        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":"
                                                + "\"user\",\"content\":\"hi\"}]}",
                                        "x-api-key",
                                        key,
                                        "x-bsg-project",
                                        "atlas")
                                .statusCode())
                        .isEqualTo(200);
            JsonNode report = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> Json.MAPPER
                                    .readTree(gw.admin(
                                                    "GET",
                                                    "/api/admin/usage?group_by=user&user=metered@example.com",
                                                    null)
                                            .body())
                                    .get("data"),
                            rows -> rows.size() == 1
                                    && rows.get(0).get("requests").asLong() == 3)
                    .get(0);
            Map<String, Double> sums = new TreeMap<>();
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                sums.clear();
                for (OtlpCollector.Received export : collector.received) {
                    for (var resource :
                            ExportMetricsServiceRequest.parseFrom(export.body()).getResourceMetricsList()) {
                        if (!"bsg-gateway"
                                .equals(OtlpCollector.attributes(resource.getResource())
                                        .get("service.name"))) continue;
                        for (var scope : resource.getScopeMetricsList())
                            for (Metric metric : scope.getMetricsList())
                                for (NumberDataPoint point : metric.getSum().getDataPointsList()) {
                                    Map<String, String> attributes = point.getAttributesList().stream()
                                            .collect(Collectors.toMap(
                                                    KeyValue::getKey,
                                                    kv -> kv.getValue().getStringValue()));
                                    if (!"metered@example.com".equals(attributes.get("user.email"))) continue;
                                    assertThat(attributes)
                                            .containsEntry("project", "atlas")
                                            .containsKey("model");
                                    String name = metric.getName()
                                            + (attributes.containsKey("type") ? "." + attributes.get("type") : "");
                                    double value = point.hasAsInt() ? point.getAsInt() : point.getAsDouble();
                                    sums.merge(name, value, Double::sum);
                                }
                    }
                }
                return sums.getOrDefault("bsg.usage.requests", 0.0) >= 3;
            });
            assertThat(sums.get("bsg.usage.requests")).isEqualTo(3.0);
            assertThat(sums.get("bsg.usage.tokens.input"))
                    .isEqualTo(report.get("input_tokens").asDouble());
            assertThat(sums.get("bsg.usage.tokens.output"))
                    .isEqualTo(report.get("output_tokens").asDouble());
            assertThat(sums.get("bsg.usage.cost"))
                    .isCloseTo(report.get("cost_usd").asDouble(), offset(1e-12));
        }
    }

    @Test
    void aDestinationThatHangsHoldsNoMoreThanItsByteBudget() throws Exception {
        // A collector that takes the connection and never answers: the sender waits on its first export.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(
                        db.url(),
                        Map.of("BSG_TELEMETRY__QUEUE_BYTES", "2KB"),
                        config("forward_to: [{url: http://127.0.0.1:" + silent.getLocalPort() + "}]"))) {
            String key = gw.newUserKey("ana@example.com");
            byte[] export = claimedMetrics("x@y");
            int fit = 2048 / export.length;
            int sent = fit + 10;
            for (int i = 0; i < sent; i++) {
                assertThat(export(gw, "/v1/metrics", "application/x-protobuf", export, "x-api-key", key)
                                .statusCode())
                        .isEqualTo(200);
            }
            double dropped = gw.management("/metrics")
                    .body()
                    .lines()
                    .filter(l -> l.startsWith("bsg_telemetry_dropped_total") && l.contains("reason=\"queue_full\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
            // One export in flight, at most 2 KB waiting, the rest dropped and counted.
            assertThat(dropped).isBetween((double) sent - 1 - fit, (double) sent - 1);
        }
    }
}
