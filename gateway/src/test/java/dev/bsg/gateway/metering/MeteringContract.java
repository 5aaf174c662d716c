package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.auth.ApiKeyFormat;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.pricing.PriceList;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.Fault;
import dev.bsg.simulator.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/** Every inference request leaves one usage record whose tokens are the upstream's own figures; run on SQLite and PostgreSQL. */
@TestInstance(Lifecycle.PER_CLASS)
abstract class MeteringContract {
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

    @BeforeEach
    void reset() {
        gw.simulator.reset();
    }

    static final String BEDROCK_BODY =
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

    static String message(boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
    }

    JsonNode report(String query) throws Exception {
        return Json.MAPPER.readTree(
                gw.admin("GET", "/api/admin/usage" + query, null).body());
    }

    @Test
    void aStreamTheClientAbandonsIsStillRecordedAndMarked() throws Exception {
        gw.simulator.defaultReply(Reply.text("a long answer nobody waits for")
                .withDeltas(40)
                .withPacing(Duration.ZERO, Duration.ofMillis(50)));
        var http = HttpClient.newHttpClient();
        var response = http.send(
                HttpRequest.newBuilder(URI.create(gw.url() + "/v1/messages"))
                        .header("anthropic-version", "2023-06-01")
                        .header("x-api-key", gw.apiKey)
                        .header("x-claude-code-session-id", "abandoned-session")
                        .POST(BodyPublishers.ofString(message(true)))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var body = response.body()) {
            assertThat(body.read(new byte[256])).isPositive();
        }
        JsonNode row = null;
        for (int i = 0; i < 100 && row == null; i++) {
            Thread.sleep(100);
            for (JsonNode candidate : report("?group_by=user").get("data"))
                if (candidate.get("requests").asLong() > 0) row = candidate;
            if (row != null && gw.simulator.abandonedStreams() == 0) row = null;
        }
        assertThat(row).isNotNull();
        var sql = new Sql(new Database(gw.gateway.settings().database()));
        List<Boolean> aborted = sql.list(
                "SELECT client_aborted FROM usage_records WHERE session_id = ?",
                r -> r.getBoolean(1),
                "abandoned-session");
        assertThat(aborted).containsExactly(true);
        List<Long> input = sql.list(
                "SELECT input_tokens FROM usage_records WHERE session_id = ?", r -> r.getLong(1), "abandoned-session");
        assertThat(input.get(0))
                .as("message_start's usage was recorded before the client left")
                .isPositive();
    }

    /** This user's totals once {@code expected} records have landed (they are written off the request path). */
    JsonNode meterTotals(long expected) throws Exception {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            JsonNode totals = null;
                            for (JsonNode row : report("?group_by=user").get("data"))
                                if ("meter@example.com".equals(row.path("user").asText())) totals = row;
                            return totals;
                        },
                        totals -> totals != null && totals.get("requests").asLong() >= expected);
    }

    @Test
    void mixedTrafficOnBothDoorsIsMeteredWithTheUpstreamsOwnTokenCounts() throws Exception {
        // This test has the gateway to itself until it has counted: a fresh user's key keeps other tests' records out.
        var user = gw.gateway.users().findOrCreate("meter@example.com", null);
        String key = ApiKeyFormat.generate();
        gw.gateway.keys().create(user.id(), "m", Secrets.sha256(key), ApiKeyFormat.hint(key), null);
        gw.simulator.defaultReply(
                Reply.text("four five six seven eight nine ten").withDeltas(3).withCache(11, 7));
        long input = 0;
        long output = 0;

        HttpResponse<String> plain =
                gw.send("POST", "/v1/messages", message(false), "x-api-key", key, "x-claude-code-session-id", "sess-1");
        JsonNode usage = Json.MAPPER.readTree(plain.body()).get("usage");
        input += usage.get("input_tokens").asLong();
        output += usage.get("output_tokens").asLong();

        String sse =
                gw.send("POST", "/v1/messages", message(true), "x-api-key", key).body();
        JsonNode start = Json.MAPPER.readTree(sse.lines()
                .filter(l -> l.startsWith("data: {\"type\":\"message_start\""))
                .findFirst()
                .orElseThrow()
                .substring(6));
        JsonNode delta = Json.MAPPER.readTree(sse.lines()
                .filter(l -> l.startsWith("data: {\"type\":\"message_delta\""))
                .findFirst()
                .orElseThrow()
                .substring(6));
        input += start.at("/message/usage/input_tokens").asLong();
        output += delta.at("/usage/output_tokens").asLong();

        HttpResponse<String> invoke = gw.send(
                "POST",
                "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke",
                BEDROCK_BODY,
                "Authorization",
                "Bearer " + key);
        JsonNode invokeUsage = Json.MAPPER.readTree(invoke.body()).get("usage");
        input += invokeUsage.get("input_tokens").asLong();
        output += invokeUsage.get("output_tokens").asLong();

        HttpResponse<String> converse = gw.send(
                "POST",
                "/bedrock/model/us.anthropic.claude-sonnet-4-6/converse",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}",
                "Authorization",
                "Bearer " + key);
        JsonNode converseUsage = Json.MAPPER.readTree(converse.body()).get("usage");
        input += converseUsage.get("inputTokens").asLong();
        output += converseUsage.get("outputTokens").asLong();

        gw.simulator.failNext(
                Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE);
        HttpResponse<String> throttled = gw.send("POST", "/v1/messages", message(false), "x-api-key", key);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("retry-after"))
                .as("an upstream 429 tells Anthropic clients when to retry")
                .isPresent();

        JsonNode totals = meterTotals(5);
        assertThat(totals.get("requests").asLong()).isEqualTo(5);
        assertThat(totals.get("errors").asLong()).isEqualTo(1);
        assertThat(totals.get("input_tokens").asLong()).isEqualTo(input);
        assertThat(totals.get("output_tokens").asLong()).isEqualTo(output);
        assertThat(totals.get("cache_read_tokens").asLong())
                .as("3 Anthropic-format answers and converse report cache reads")
                .isEqualTo(11 * 4);
        assertThat(totals.get("cache_write_5m_tokens").asLong()).isEqualTo(7 * 4);

        JsonNode byDoor = Json.MAPPER.readTree(gw.send("GET", "/api/usage?group_by=door,model", null, "x-api-key", key)
                .body());
        assertThat(byDoor.get("data").findValuesAsText("door")).containsExactly("anthropic", "bedrock");
        assertThat(byDoor.get("data").findValuesAsText("model"))
                .containsExactly("claude-sonnet-4-5-20250929", "claude-sonnet-4-6");
        assertThat(byDoor.get("data").get(0).get("requests").asLong()).isEqualTo(3);
        JsonNode mine = Json.MAPPER.readTree(gw.send("GET", "/api/usage?group_by=day", null, "x-api-key", key)
                .body());
        assertThat(mine.get("data").get(0).get("requests").asLong()).isEqualTo(5);
        assertThat(gw.admin("GET", "/api/admin/usage?group_by=colour", null).statusCode())
                .isEqualTo(400);
    }

    Sql sql() {
        return new Sql(new Database(gw.gateway.settings().database()));
    }

    /** Records of a session once {@code expected} have landed. */
    List<String> sessionsLanded(Sql sql, String like, int expected) throws InterruptedException {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> sql.list(
                                "SELECT session_id FROM usage_records WHERE session_id LIKE ?",
                                r -> r.getString(1),
                                like),
                        found -> found.size() >= expected);
    }

    private Map<String, Long> lastUsed(String userId) {
        return gw.gateway
                .keys()
                .lastUsedOf(gw.gateway.keys().ofUser(userId).stream()
                        .map(ApiKey::id)
                        .toList());
    }

    @Test
    void aKeysLastUseIsRecordedWithItsUsageAndNeverGoesBack() throws Exception {
        String key = gw.newUserKey("last-use@example.com");
        String userId =
                gw.gateway.users().byEmail("last-use@example.com").orElseThrow().id();
        assertThat(lastUsed(userId)).isEmpty();
        long before = System.currentTimeMillis();
        assertThat(gw.send("POST", "/v1/messages", message(false), "x-api-key", key)
                        .statusCode())
                .isEqualTo(200);
        Map<String, Long> used =
                await().atMost(Duration.ofSeconds(10)).until(() -> lastUsed(userId), found -> !found.isEmpty());
        assertThat(used.values())
                .singleElement()
                .satisfies(at -> assertThat(at).isBetween(before - 1000, System.currentTimeMillis()));
        try (Database db = new Database(gw.gateway.settings().database())) {
            new Sql(db).update("UPDATE api_keys SET last_used_at = ? WHERE user_id = ?", Long.MAX_VALUE - 1, userId);
        }
        assertThat(gw.send("POST", "/v1/messages", message(false), "x-api-key", key)
                        .statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> report("?user=last-use@example.com")
                                .path("data")
                                .path(0)
                                .path("requests")
                                .asLong()
                        == 2);
        assertThat(lastUsed(userId).values())
                .as("an older use never overwrites a later one")
                .containsExactly(Long.MAX_VALUE - 1);
    }

    @Test
    void overLongFieldsAreCutToTheirColumnsAndMeteringGoesOnForEveryone() throws Exception {
        String longSession = "long-session-" + "s".repeat(300);
        HttpResponse<String> odd = gw.post(
                "/v1/messages",
                message(false),
                "x-claude-code-session-id",
                longSession,
                "x-claude-code-agent-id",
                "a".repeat(500));
        assertThat(odd.statusCode()).as(odd.body()).isEqualTo(200);
        HttpResponse<String> normal =
                gw.post("/v1/messages", message(false), "x-claude-code-session-id", "long-session-after");
        assertThat(normal.statusCode()).isEqualTo(200);
        var sql = sql();
        var landed = sessionsLanded(sql, "long-session-%", 2);
        assertThat(landed).as("the odd record and the one after it both landed").hasSize(2);
        assertThat(landed).contains("long-session-after", longSession.substring(0, 200));
        assertThat(gw.gateway.usageWriter().journalBytes())
                .as("nothing waits in the journal")
                .isZero();
    }

    @Test
    void aRecordTheDatabaseRefusesIsDeadLetteredAndNeverBlocksTheOthers() throws Exception {
        var database = new Database(gw.gateway.settings().database());
        var sql = new Sql(database);
        // A rule only this test's poison record breaks, as a column limit or a bad byte would on a real day.
        if (database.isPostgres()) {
            sql.update(
                    "ALTER TABLE usage_records ADD CONSTRAINT test_poison CHECK (session_id IS NULL OR session_id <> 'poison-pill')");
        } else {
            sql.update(
                    "CREATE TRIGGER test_poison BEFORE INSERT ON usage_records WHEN NEW.session_id = 'poison-pill' BEGIN SELECT RAISE(ABORT, 'poison'); END");
        }
        try {
            for (String session : List.of("poison-before", "poison-pill", "poison-after")) {
                assertThat(gw.post("/v1/messages", message(false), "x-claude-code-session-id", session)
                                .statusCode())
                        .isEqualTo(200);
            }
            var landed = sessionsLanded(sql, "poison-%", 2);
            assertThat(landed).containsExactlyInAnyOrder("poison-before", "poison-after");
            List<String> dead = await().atMost(Duration.ofSeconds(5))
                    .until(
                            () -> sql.list("SELECT record FROM usage_dead_letters", r -> r.getString(1)),
                            rows -> !rows.isEmpty());
            assertThat(dead).hasSize(1);
            assertThat(Json.MAPPER.readTree(dead.get(0)).get("sessionId").asText())
                    .isEqualTo("poison-pill");
            assertThat(sql.list("SELECT reason FROM usage_dead_letters", r -> r.getString(1))
                            .get(0))
                    .as("the reason, as logged, carries no personal data")
                    .isNotBlank()
                    .doesNotContain("dev@example.com")
                    .doesNotContain("poison-pill");
            assertThat(gw.management("/metrics").body()).contains("bsg_usage_dead_letters_total 1.0");
            assertThat(gw.post("/v1/messages", message(false), "x-claude-code-session-id", "poison-later")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(sessionsLanded(sql, "poison-%", 3))
                    .as("the writer goes on after the poison")
                    .contains("poison-later");
            assertThat(gw.gateway.usageWriter().journalBytes()).isZero();
        } finally {
            sql.update(
                    database.isPostgres()
                            ? "ALTER TABLE usage_records DROP CONSTRAINT test_poison"
                            : "DROP TRIGGER test_poison");
            database.close();
        }
    }

    @Test
    void anAbsurdPriceIsRefusedAndRecordsKeepLanding() throws Exception {
        for (String price : List.of("1000000000000000", "1e999999999", "-1", "0.0000000001", "abc")) {
            String csv = PriceList.HEADER + "\n*,*," + price + ",15,,,,\n";
            long started = System.nanoTime();
            HttpResponse<String> refused = gw.send(
                    "POST",
                    "/api/admin/prices",
                    csv,
                    "Authorization",
                    "Bearer " + TestGateway.ADMIN_KEY,
                    "Content-Type",
                    "text/csv");
            assertThat(refused.statusCode()).as(price).isEqualTo(400);
            assertThat(refused.body()).contains("invalid_request_error").contains("input");
            assertThat(System.nanoTime() - started).as("refused at once").isLessThan(5_000_000_000L);
        }
        HttpResponse<String> prices = gw.admin("GET", "/api/admin/prices", null);
        assertThat(prices.statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/messages", message(false), "x-claude-code-session-id", "priced-after")
                        .statusCode())
                .isEqualTo(200);
        assertThat(sessionsLanded(sql(), "priced-after", 1)).hasSize(1);
    }

    /** A stream cut or broken midway, and an upstream error on the Bedrock door, are recorded with the error they ended in. */
    @Test
    void failuresAreRecordedWithTheirErrorType() throws Exception {
        var sql = sql();
        gw.simulator.failNext(Fault.STREAM_EXCEPTION);
        gw.post("/v1/messages", message(true), "x-claude-code-session-id", "failed-exception");
        gw.simulator.failNext(Fault.RESET_MID_STREAM);
        gw.post("/v1/messages", message(true), "x-claude-code-session-id", "failed-reset");
        gw.simulator.failNext(
                Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE);
        HttpResponse<String> throttled = gw.send(
                "POST",
                "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke",
                BEDROCK_BODY,
                "Authorization",
                "Bearer " + gw.apiKey,
                "x-claude-code-session-id",
                "failed-bedrock");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(sessionsLanded(sql, "failed-%", 3)).hasSize(3);
        Map<String, String> types = new HashMap<>();
        for (var row : sql.list(
                "SELECT session_id, error_type FROM usage_records WHERE session_id LIKE 'failed-%'",
                r -> List.of(r.getString(1), String.valueOf(r.getString(2))))) {
            types.put(row.get(0), row.get(1));
        }
        assertThat(types.get("failed-exception"))
                .as("an exception frame midway")
                .isNotEqualTo("null");
        assertThat(types.get("failed-reset")).as("a connection cut midway").isEqualTo("api_error");
        assertThat(types.get("failed-bedrock"))
                .as("an upstream error relayed on the Bedrock door")
                .isEqualTo("ThrottlingException");
    }
}
