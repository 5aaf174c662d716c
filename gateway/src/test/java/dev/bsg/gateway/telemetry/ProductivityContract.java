package dev.bsg.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.protocol.translate.Json;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Claude Code's metrics summed per person and day, next to metered spend: delta and cumulative temporality, protobuf
 * and OTLP/JSON, always under the authenticated person whatever the export claims. Run on SQLite and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProductivityContract {
    TestDatabase database;
    TestGateway gw;

    abstract TestDatabase database();

    @BeforeAll
    void start() {
        database = database();
        gw = TestGateway.start(database.url(), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        gw.close();
        database.close();
    }

    static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    static Metric sum(String name, AggregationTemporality temporality, NumberDataPoint... points) {
        Sum.Builder sum =
                Sum.newBuilder().setAggregationTemporality(temporality).setIsMonotonic(true);
        for (NumberDataPoint point : points) sum.addDataPoints(point);
        return Metric.newBuilder().setName(name).setSum(sum).build();
    }

    static NumberDataPoint point(double value, String... attributes) {
        NumberDataPoint.Builder point = NumberDataPoint.newBuilder()
                .setAsDouble(value)
                .setStartTimeUnixNano(1)
                .setTimeUnixNano(Instant.now().toEpochMilli() * 1_000_000);
        for (int i = 0; i < attributes.length; i += 2) point.addAttributes(attribute(attributes[i], attributes[i + 1]));
        return point.build();
    }

    HttpResponse<String> export(String key, String type, byte[] body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gw.url() + "/v1/metrics"))
                                .header("Content-Type", type)
                                .header("x-api-key", key)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void claudeCodesMetricsAreSummedPerPersonBesideWhatTheyCost() throws Exception {
        String key = gw.newUserKey("maker@example.com");
        gw.newUserKey("boss@example.com");
        AggregationTemporality delta = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
        byte[] deltas = ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .addMetrics(sum(
                                        "claude_code.session.count", delta, point(1, "user.email", "boss@example.com")))
                                .addMetrics(sum(
                                        "claude_code.lines_of_code.count",
                                        delta,
                                        point(120, "type", "added"),
                                        point(30, "type", "removed")))
                                .addMetrics(sum(
                                        "claude_code.code_edit_tool.decision",
                                        delta,
                                        point(4, "decision", "accept", "tool", "Edit"),
                                        point(1, "decision", "reject", "tool", "Write")))
                                .addMetrics(sum("claude_code.commit.count", delta, point(2)))
                                .addMetrics(sum("claude_code.pull_request.count", delta, point(1)))
                                .addMetrics(sum("claude_code.cost.usage", delta, point(0.1234565, "model", "sonnet")))
                                .addMetrics(sum("claude_code.token.usage", delta, point(999, "type", "input")))))
                .build()
                .toByteArray();
        assertThat(export(key, "application/x-protobuf", deltas).statusCode()).isEqualTo(200);
        assertThat(export(key, "application/x-protobuf", deltas).statusCode())
                .as("delta points add up")
                .isEqualTo(200);

        // Cumulative, in OTLP/JSON: 600 s then 900 s of active time in one series is 900 s, not 1,500.
        long now = Instant.now().toEpochMilli() * 1_000_000;
        for (int seconds : new int[] {600, 900}) {
            String json = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"user.email\",\"value\":"
                    + "{\"stringValue\":\"boss@example.com\"}}]},\"scopeMetrics\":[{\"metrics\":[{\"name\":"
                    + "\"claude_code.active_time.total\",\"sum\":{\"aggregationTemporality\":2,\"isMonotonic\":true,"
                    + "\"dataPoints\":[{\"attributes\":[{\"key\":\"type\",\"value\":{\"stringValue\":\"user\"}}],"
                    + "\"startTimeUnixNano\":\"5\",\"timeUnixNano\":\"" + now + "\",\"asInt\":\"" + seconds
                    + "\"}]}}]}]}]}";
            assertThat(export(key, "application/json", json.getBytes(StandardCharsets.UTF_8))
                            .statusCode())
                    .isEqualTo(200);
        }
        assertThat(gw.send(
                                "POST",
                                "/v1/messages",
                                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\","
                                        + "\"content\":\"hi\"}]}",
                                "x-api-key",
                                key)
                        .statusCode())
                .isEqualTo(200);
        // Not this one's: another key on the same user would count; a different person never does.
        Thread.sleep(500);
        gw.gateway.runBackgroundTasksNow();

        JsonNode report = Json.MAPPER.readTree(
                gw.admin("GET", "/api/admin/productivity", null).body());
        JsonNode maker = null;
        for (JsonNode row : report.get("data")) {
            assertThat(row.get("user").asText())
                    .as("nothing is counted for the person claimed")
                    .isNotEqualTo("boss@example.com");
            if (row.get("user").asText().equals("maker@example.com")) maker = row;
        }
        assertThat(maker).isNotNull();
        assertThat(maker.get("sessions").asLong()).isEqualTo(2);
        assertThat(maker.get("lines_added").asLong()).isEqualTo(240);
        assertThat(maker.get("lines_removed").asLong()).isEqualTo(60);
        assertThat(maker.get("edits_accepted").asLong()).isEqualTo(8);
        assertThat(maker.get("edits_rejected").asLong()).isEqualTo(2);
        assertThat(maker.get("commits").asLong()).isEqualTo(4);
        assertThat(maker.get("pull_requests").asLong()).isEqualTo(2);
        assertThat(maker.get("claude_code_cost_usd").asText()).isEqualTo("0.246913");
        assertThat(maker.get("active_hours").asText()).isEqualTo("0.25");
        assertThat(maker.get("requests").asLong()).isEqualTo(1);
        assertThat(maker.get("cost_usd").asText()).isNotEqualTo("0.000000000");

        JsonNode byDay = Json.MAPPER.readTree(
                gw.admin("GET", "/api/admin/productivity?group_by=day", null).body());
        assertThat(byDay.get("data")).isNotEmpty();
        assertThat(gw.admin("GET", "/api/admin/productivity?from=yesterday", null)
                        .statusCode())
                .isEqualTo(400);
        assertThat(gw.admin("GET", "/api/admin/productivity?group_by=model", null)
                        .statusCode())
                .isEqualTo(400);
        assertThat(gw.send("GET", "/api/admin/productivity", null, "x-api-key", key)
                        .statusCode())
                .isEqualTo(403);
        JsonNode mine = Json.MAPPER.readTree(
                gw.send("GET", "/api/productivity", null, "x-api-key", key).body());
        assertThat(mine.get("data")).singleElement().satisfies(row -> {
            assertThat(row.get("user").asText()).isEqualTo("maker@example.com");
            assertThat(row.get("lines_added").asLong()).isEqualTo(240);
        });
        assertThat(gw.admin("GET", "/api/productivity", null).statusCode())
                .as("a static admin key has none of its own")
                .isEqualTo(403);
    }
}
