package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestGateway;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.Fault;
import dev.bsg.simulator.Reply;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every inference request leaves one usage record whose tokens are the upstream's own figures; run on SQLite and PostgreSQL. */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
abstract class MeteringContract {
    dev.bsg.gateway.TestDatabase database;
    TestGateway gw;

    abstract dev.bsg.gateway.TestDatabase database();

    @org.junit.jupiter.api.BeforeAll
    void start() {
        database = database();
        gw = TestGateway.start(database.url(), Map.of());
    }

    @org.junit.jupiter.api.AfterAll
    void stop() throws Exception {
        gw.close();
        database.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void reset() {
        gw.simulator.reset();
    }

    static final String BEDROCK_BODY = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

    static String message(boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
    }

    JsonNode report(String query) throws Exception {
        return Json.MAPPER.readTree(gw.admin("GET", "/api/admin/usage" + query, null).body());
    }

    @Test
    void aStreamTheClientAbandonsIsStillRecordedAndMarked() throws Exception {
        gw.simulator.defaultReply(Reply.text("a long answer nobody waits for").withDeltas(40).withPacing(java.time.Duration.ZERO, java.time.Duration.ofMillis(50)));
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.url() + "/v1/messages"))
                .header("x-api-key", gw.apiKey).header("x-claude-code-session-id", "abandoned-session")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(message(true))).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (var body = response.body()) {
            assertThat(body.read(new byte[256])).isPositive();
        }
        JsonNode row = null;
        for (int i = 0; i < 100 && row == null; i++) {
            Thread.sleep(100);
            for (JsonNode candidate : report("?group_by=user").get("data")) if (candidate.get("requests").asLong() > 0) row = candidate;
            if (row != null && gw.simulator.abandonedStreams() == 0) row = null;
        }
        assertThat(row).isNotNull();
        var sql = new dev.bsg.gateway.store.Sql(new dev.bsg.gateway.store.Database(gw.gateway.settings().database()));
        java.util.List<Boolean> aborted = sql.list("SELECT client_aborted FROM usage_records WHERE session_id = ?", r -> r.getBoolean(1), "abandoned-session");
        assertThat(aborted).containsExactly(true);
        java.util.List<Long> input = sql.list("SELECT input_tokens FROM usage_records WHERE session_id = ?", r -> r.getLong(1), "abandoned-session");
        assertThat(input.get(0)).as("message_start's usage was recorded before the client left").isPositive();
    }

    /** This user's totals once {@code expected} records have landed (they are written off the request path). */
    JsonNode meterTotals(long expected) throws Exception {
        JsonNode totals = null;
        for (int i = 0; i < 100; i++) {
            for (JsonNode row : report("?group_by=user").get("data")) if ("meter@example.com".equals(row.path("user").asText())) totals = row;
            if (totals != null && totals.get("requests").asLong() >= expected) return totals;
            Thread.sleep(100);
        }
        return totals;
    }

    @Test
    void mixedTrafficOnBothDoorsIsMeteredWithTheUpstreamsOwnTokenCounts() throws Exception {
        // This test has the gateway to itself until it has counted: a fresh user's key keeps other tests' records out.
        var user = gw.gateway.users().findOrCreate("meter@example.com", null);
        String key = dev.bsg.gateway.auth.ApiKeyFormat.generate();
        gw.gateway.keys().create(user.id(), "m", dev.bsg.gateway.auth.Secrets.sha256(key), dev.bsg.gateway.auth.ApiKeyFormat.hint(key), null);
        gw.simulator.defaultReply(Reply.text("four five six seven eight nine ten").withDeltas(3).withCache(11, 7));
        long input = 0;
        long output = 0;

        HttpResponse<String> plain = gw.send("POST", "/v1/messages", message(false), "x-api-key", key, "x-claude-code-session-id", "sess-1");
        JsonNode usage = Json.MAPPER.readTree(plain.body()).get("usage");
        input += usage.get("input_tokens").asLong();
        output += usage.get("output_tokens").asLong();

        String sse = gw.send("POST", "/v1/messages", message(true), "x-api-key", key).body();
        JsonNode start = Json.MAPPER.readTree(sse.lines().filter(l -> l.startsWith("data: {\"type\":\"message_start\"")).findFirst().orElseThrow().substring(6));
        JsonNode delta = Json.MAPPER.readTree(sse.lines().filter(l -> l.startsWith("data: {\"type\":\"message_delta\"")).findFirst().orElseThrow().substring(6));
        input += start.at("/message/usage/input_tokens").asLong();
        output += delta.at("/usage/output_tokens").asLong();

        HttpResponse<String> invoke = gw.send("POST", "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke", BEDROCK_BODY, "Authorization", "Bearer " + key);
        JsonNode invokeUsage = Json.MAPPER.readTree(invoke.body()).get("usage");
        input += invokeUsage.get("input_tokens").asLong();
        output += invokeUsage.get("output_tokens").asLong();

        HttpResponse<String> converse = gw.send("POST", "/bedrock/model/us.anthropic.claude-sonnet-4-6/converse",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}", "Authorization", "Bearer " + key);
        JsonNode converseUsage = Json.MAPPER.readTree(converse.body()).get("usage");
        input += converseUsage.get("inputTokens").asLong();
        output += converseUsage.get("outputTokens").asLong();

        gw.simulator.failNext(Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE);
        assertThat(gw.send("POST", "/v1/messages", message(false), "x-api-key", key).statusCode()).isEqualTo(429);

        JsonNode totals = meterTotals(5);
        assertThat(totals.get("requests").asLong()).isEqualTo(5);
        assertThat(totals.get("errors").asLong()).isEqualTo(1);
        assertThat(totals.get("input_tokens").asLong()).isEqualTo(input);
        assertThat(totals.get("output_tokens").asLong()).isEqualTo(output);
        assertThat(totals.get("cache_read_tokens").asLong()).as("3 Anthropic-format answers and converse report cache reads").isEqualTo(11 * 4);
        assertThat(totals.get("cache_write_5m_tokens").asLong()).isEqualTo(7 * 4);

        JsonNode byDoor = Json.MAPPER.readTree(gw.send("GET", "/api/usage?group_by=door,model", null, "x-api-key", key).body());
        assertThat(byDoor.get("data").findValuesAsText("door")).containsExactly("anthropic", "bedrock");
        assertThat(byDoor.get("data").findValuesAsText("model")).containsExactly("claude-sonnet-4-5-20250929", "claude-sonnet-4-6");
        assertThat(byDoor.get("data").get(0).get("requests").asLong()).isEqualTo(3);
        JsonNode mine = Json.MAPPER.readTree(gw.send("GET", "/api/usage?group_by=day", null, "x-api-key", key).body());
        assertThat(mine.get("data").get(0).get("requests").asLong()).isEqualTo(5);
        assertThat(gw.admin("GET", "/api/admin/usage?group_by=colour", null).statusCode()).isEqualTo(400);
    }
}
