package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.Reply;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Costs, tags, reports and spend limits, checked against what the simulator sent; run on SQLite and PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CostAndBudgetsContract {
    // Claude Sonnet 4.5 / 4.6 list prices in USD per million tokens, written out here rather than read from the
    // product.
    static final BigDecimal INPUT = new BigDecimal("3");
    static final BigDecimal OUTPUT = new BigDecimal("15");
    static final BigDecimal CACHE_READ = new BigDecimal("0.30");
    static final BigDecimal CACHE_WRITE = new BigDecimal("3.75");
    static final BigDecimal REGIONAL = new BigDecimal("1.1");
    static final String BEDROCK_BODY =
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

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

    static String message(String model) {
        return "{\"model\":\"" + model
                + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"how much is this\"}]}";
    }

    static BigDecimal usd(JsonNode usage, boolean regional) {
        BigDecimal perMillion = INPUT.multiply(
                        BigDecimal.valueOf(usage.path("input_tokens").asLong()))
                .add(OUTPUT.multiply(
                        BigDecimal.valueOf(usage.path("output_tokens").asLong())))
                .add(CACHE_READ.multiply(
                        BigDecimal.valueOf(usage.path("cache_read_input_tokens").asLong())))
                .add(CACHE_WRITE.multiply(BigDecimal.valueOf(
                        usage.path("cache_creation_input_tokens").asLong())));
        if (regional) perMillion = perMillion.multiply(REGIONAL);
        return perMillion.movePointLeft(6);
    }

    String createKey(String email, String extraJson) throws Exception {
        HttpResponse<String> created = gw.admin(
                "POST", "/api/admin/keys", "{\"user_email\":\"" + email + "\",\"name\":\"k\"" + extraJson + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Json.MAPPER.readTree(created.body()).get("key").asText();
    }

    JsonNode report(String query) throws Exception {
        HttpResponse<String> response = gw.admin("GET", "/api/admin/usage" + query, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    JsonNode waitForRequests(String query, long expected) throws Exception {
        return await("at least " + expected + " records landed for " + query)
                .atMost(Duration.ofSeconds(10))
                .until(() -> report(query).get("data"), data -> {
                    long total = 0;
                    for (JsonNode row : data) total += row.get("requests").asLong();
                    return total >= expected;
                });
    }

    @Test
    void eachRequestIsPricedExactlyTaggedAndReportedByTeamAndProject() throws Exception {
        String pinned = createKey("cost@example.com", ",\"team\":\"platform\",\"project\":\"atlas\"");
        String open = createKey("cost@example.com", "");
        gw.simulator.defaultReply(Reply.text("priced words here").withDeltas(2).withCache(1200, 3400));

        // Anthropic door, regional profile (us.) → 10 % premium; header ignored because the key is pinned to atlas.
        JsonNode a = Json.MAPPER.readTree(gw.send(
                        "POST",
                        "/v1/messages",
                        message("claude-sonnet-4-5"),
                        "x-api-key",
                        pinned,
                        "x-bsg-project",
                        "ignored")
                .body());
        BigDecimal expectedAtlas = usd(a.get("usage"), true);
        // Bedrock door, global profile → list price; the project comes from the header.
        JsonNode b = Json.MAPPER.readTree(gw.send(
                        "POST",
                        "/bedrock/model/global.anthropic.claude-sonnet-4-6/invoke",
                        BEDROCK_BODY,
                        "Authorization",
                        "Bearer " + open,
                        "x-bsg-project",
                        "apollo")
                .body());
        JsonNode c = Json.MAPPER.readTree(gw.send(
                        "POST",
                        "/model/global.anthropic.claude-sonnet-4-6/invoke",
                        BEDROCK_BODY,
                        "Authorization",
                        "Bearer " + open,
                        "x-bsg-project",
                        "apollo")
                .body());
        BigDecimal expectedApollo = usd(b.get("usage"), false).add(usd(c.get("usage"), false));
        assertThat(gw.send(
                                "POST",
                                "/v1/messages",
                                message("claude-sonnet-4-5"),
                                "x-api-key",
                                open,
                                "x-bsg-project",
                                "bad project!")
                        .statusCode())
                .as("a malformed project tag is refused before anything is sent")
                .isEqualTo(400);

        JsonNode byProject = waitForRequests("?group_by=project,team&user=cost@example.com", 3);
        assertThat(byProject.findValuesAsText("project")).containsExactly("apollo", "atlas");
        assertThat(new BigDecimal(byProject.get(0).get("cost_usd").asText())).isEqualByComparingTo(expectedApollo);
        assertThat(new BigDecimal(byProject.get(1).get("cost_usd").asText())).isEqualByComparingTo(expectedAtlas);
        assertThat(byProject.get(1).get("team").asText()).isEqualTo("platform");
        assertThat(byProject.get(0).get("team").isNull())
                .as("no team on the key or the user")
                .isTrue();

        // The same totals from the raw records (a range that cuts through today) as from the daily rollups.
        String from = Instant.now().minusSeconds(3600).toString();
        JsonNode raw = report("?group_by=project&user=cost@example.com&from=" + from);
        assertThat(raw.get("source").asText()).isEqualTo("records");
        assertThat(raw.get("data").findValuesAsText("cost_usd")).isEqualTo(byProject.findValuesAsText("cost_usd"));

        HttpResponse<String> csv = gw.send(
                "GET",
                "/api/admin/usage?group_by=project&user=cost@example.com&format=csv",
                null,
                "Authorization",
                "Bearer " + TestGateway.ADMIN_KEY);
        assertThat(csv.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0))
                .isEqualTo(
                        "project,requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cost_usd");
        assertThat(lines.get(1))
                .startsWith("apollo,2,0,")
                .endsWith("," + byProject.get(0).get("cost_usd").asText());
    }

    @Test
    void anImportedPriceListAppliesFromNowOnAndOldRecordsKeepTheirPrice() throws Exception {
        String key = createKey("prices@example.com", "");
        gw.simulator.defaultReply(Reply.text("one two three"));
        gw.send(
                "POST",
                "/model/global.anthropic.claude-sonnet-4-6/invoke",
                BEDROCK_BODY,
                "Authorization",
                "Bearer " + key);
        JsonNode before = waitForRequests("?user=prices@example.com", 1);
        String oldVersion = Json.MAPPER
                .readTree(gw.admin("GET", "/api/admin/prices", null).body())
                .get("version")
                .asText();

        HttpResponse<String> refused = gw.send(
                "POST",
                "/api/admin/prices",
                "model,region,input\nclaude-sonnet-4-6,*,x\n",
                "Authorization",
                "Bearer " + TestGateway.ADMIN_KEY,
                "Content-Type",
                "text/csv");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("line 1");
        assertThat(Json.MAPPER
                        .readTree(gw.admin("GET", "/api/admin/prices", null).body())
                        .get("version")
                        .asText())
                .isEqualTo(oldVersion);

        String shipped = gw.send(
                        "GET", "/api/admin/prices?format=csv", null, "Authorization", "Bearer " + TestGateway.ADMIN_KEY)
                .body();
        String doubled = shipped.replace("claude-sonnet-4-6,*,3,15,", "claude-sonnet-4-6,*,6,30,");
        HttpResponse<String> imported = gw.send(
                "POST",
                "/api/admin/prices",
                doubled,
                "Authorization",
                "Bearer " + TestGateway.ADMIN_KEY,
                "Content-Type",
                "text/csv");
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        String newVersion = Json.MAPPER.readTree(imported.body()).get("version").asText();
        assertThat(newVersion).isNotEqualTo(oldVersion);
        try {
            gw.send(
                    "POST",
                    "/model/global.anthropic.claude-sonnet-4-6/invoke",
                    BEDROCK_BODY,
                    "Authorization",
                    "Bearer " + key);
            waitForRequests("?user=prices@example.com", 2);
            var sql = new Sql(new Database(gw.gateway.settings().database()));
            List<String> versions = sql.list(
                    "SELECT price_version FROM usage_records WHERE user_email = ? ORDER BY at",
                    r -> r.getString(1),
                    "prices@example.com");
            List<Long> costs = sql.list(
                    "SELECT cost_nanos FROM usage_records WHERE user_email = ? ORDER BY at",
                    r -> r.getLong(1),
                    "prices@example.com");
            assertThat(versions).containsExactly(oldVersion, newVersion);
            assertThat(costs.get(1)).as("same tokens, twice the price").isEqualTo(costs.get(0) * 2);
            assertThat(new BigDecimal(before.get(0).get("cost_usd").asText()))
                    .isEqualByComparingTo(BigDecimal.valueOf(costs.get(0), 9));
        } finally {
            gw.send(
                    "POST",
                    "/api/admin/prices",
                    shipped,
                    "Authorization",
                    "Bearer " + TestGateway.ADMIN_KEY,
                    "Content-Type",
                    "text/csv");
        }
    }

    @Test
    void aSpendLimitRefusesTheNextRequestWithTheAnthropicShapeAndNoRetry() throws Exception {
        String key = createKey("budget@example.com", "");
        // 1,000,000 cache-write tokens at $3.75 × 1.1 per million: $4.125 a request.
        gw.simulator.defaultReply(Reply.text("expensive").withCache(0, 1_000_000));
        HttpResponse<String> created = gw.admin(
                "POST",
                "/v1/organizations/spend_limits",
                "{\"scope\":{\"type\":\"user\",\"user_id\":\"budget@example.com\"},\"amount\":\"500\",\"period\":\"daily\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode limit = Json.MAPPER.readTree(created.body());
        assertThat(limit.get("type").asText()).isEqualTo("spend_limit");
        assertThat(limit.get("id").asText()).startsWith("spl_");
        assertThat(limit.get("amount").asText()).isEqualTo("500");

        HttpResponse<String> allowed = gw.send("POST", "/v1/messages", message("claude-sonnet-4-5"), "x-api-key", key);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("anthropic-ratelimit-unified-status"))
                .contains("allowed");
        assertThat(allowed.headers().firstValue("anthropic-ratelimit-unified-overage-utilization"))
                .contains("0.00");
        BigDecimal spentCents =
                usd(Json.MAPPER.readTree(allowed.body()).get("usage"), true).movePointRight(2);
        HttpResponse<String> warned = gw.send("POST", "/v1/messages", message("claude-sonnet-4-5"), "x-api-key", key);
        assertThat(warned.statusCode()).isEqualTo(200);
        assertThat(warned.headers().firstValue("anthropic-ratelimit-unified-status"))
                .as("$4.13 of $5 spent")
                .contains("allowed_warning");
        assertThat(warned.headers().firstValue("anthropic-ratelimit-unified-overage-surpassed-threshold"))
                .contains("0.75");
        assertThat(warned.headers().firstValue("anthropic-ratelimit-unified-representative-claim"))
                .contains("overage");
        spentCents = spentCents.add(
                usd(Json.MAPPER.readTree(warned.body()).get("usage"), true).movePointRight(2));
        HttpResponse<String> blocked = gw.send("POST", "/v1/messages", message("claude-sonnet-4-5"), "x-api-key", key);
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("x-should-retry")).contains("false");
        assertThat(blocked.headers().firstValue("anthropic-ratelimit-unified-status"))
                .contains("rejected");
        assertThat(blocked.headers().firstValue("anthropic-ratelimit-unified-overage-period"))
                .contains("daily");
        long reset = Long.parseLong(blocked.headers()
                .firstValue("anthropic-ratelimit-unified-reset")
                .orElseThrow());
        assertThat(reset % 86_400).as("resets at midnight UTC").isZero();
        assertThat(Long.parseLong(blocked.headers().firstValue("retry-after").orElseThrow()))
                .isBetween(1L, 86_400L);
        JsonNode error = Json.MAPPER.readTree(blocked.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("billing_error");
        assertThat(error.get("message").asText())
                .startsWith("spend limit reached (daily; resets ")
                .contains("T00:00:00Z");
        HttpResponse<String> bedrock = gw.send(
                "POST", "/model/us.anthropic.claude-sonnet-4-6/invoke", BEDROCK_BODY, "Authorization", "Bearer " + key);
        assertThat(bedrock.statusCode())
                .as("a quota Bedrock won't lift: 400, which the AWS SDKs don't retry")
                .isEqualTo(400);
        assertThat(bedrock.headers().firstValue("x-amzn-errortype").orElse(""))
                .startsWith("ServiceQuotaExceededException");
        assertThat(gw.send("POST", "/v1/messages/count_tokens", message("claude-sonnet-4-5"), "x-api-key", key)
                        .statusCode())
                .as("count_tokens is never blocked")
                .isEqualTo(200);
        assertThat(gw.simulator.received().stream().filter(r -> !r.operation().equals("count-tokens")))
                .as("the refused requests never went upstream")
                .hasSize(2);
        JsonNode standing = Json.MAPPER.readTree(
                gw.send("GET", "/api/oauth/usage", null, "x-api-key", key).body());
        assertThat(standing.at("/extra_usage/daily/limit").asInt()).isEqualTo(500);
        assertThat(standing.at("/extra_usage/daily/used_credits").decimalValue())
                .isEqualByComparingTo(spentCents.setScale(2, RoundingMode.HALF_UP));
        assertThat(standing.at("/extra_usage/monthly_limit").isNull()).isTrue();
        assertThat(standing.at("/limits/0/group").asText()).isEqualTo("daily");
        assertThat(standing.at("/limits/0/severity").asText()).isEqualTo("critical");
        assertThat(standing.at("/limits/0/resets_at").asText()).endsWith("T00:00:00Z");

        waitForRequests("?user=budget@example.com", 1);
        String metrics = gw.management("/metrics").body();
        assertThat(metrics)
                .contains("bsg_limit_rejections_total{limit=\"spend_daily\",scope=\"user\"}")
                .containsPattern(
                        "bsg_cost_usd_total\\{model=\"claude-sonnet-4-5-20250929\",region=\"us-east-1\",team=\"\"} [1-9]")
                .containsPattern(
                        "bsg_tokens_total\\{kind=\"cache_write\",model=\"claude-sonnet-4-5-20250929\",region=\"us-east-1\",team=\"\"} [1-9]")
                .contains("bsg_usage_queue_depth")
                .contains("bsg_usage_journal_bytes")
                .containsPattern("bsg_usage_write_seconds_count [1-9]");

        JsonNode effective = Json.MAPPER.readTree(
                gw.admin("GET", "/v1/organizations/spend_limits/effective?period[]=daily&q=budget", null)
                        .body());
        JsonNode row = effective.get("data").get(0);
        assertThat(row.get("source").asText()).isEqualTo("user");
        assertThat(row.get("spend_limit_id").asText()).isEqualTo(limit.get("id").asText());
        assertThat(new BigDecimal(row.get("period_to_date_spend").asText()))
                .isEqualByComparingTo(spentCents)
                .isGreaterThan(new BigDecimal("412.5"));

        // Replacing the limit for the same scope and period keeps its id; deleting it lets the user through again.
        JsonNode raised = Json.MAPPER.readTree(gw.admin(
                        "POST",
                        "/v1/organizations/spend_limits",
                        "{\"scope\":{\"type\":\"user\",\"user_id\":\"budget@example.com\"},\"amount\":null,\"period\":\"daily\"}")
                .body());
        assertThat(raised.get("id").asText()).isEqualTo(limit.get("id").asText());
        assertThat(raised.get("amount").isNull()).isTrue();
        assertThat(gw.send("POST", "/v1/messages", message("claude-sonnet-4-5"), "x-api-key", key)
                        .statusCode())
                .isEqualTo(200);
        JsonNode deleted = Json.MAPPER.readTree(gw.admin(
                        "DELETE",
                        "/v1/organizations/spend_limits/" + limit.get("id").asText(),
                        null)
                .body());
        assertThat(deleted.get("type").asText()).isEqualTo("spend_limit_deleted");
        assertThat(gw.admin(
                                "GET",
                                "/v1/organizations/spend_limits/"
                                        + limit.get("id").asText(),
                                null)
                        .statusCode())
                .isEqualTo(404);
        JsonNode audit = Json.MAPPER.readTree(gw.admin("GET", "/v1/organizations/spend_limits/audit?limit=2", null)
                .body());
        assertThat(audit.get("data").findValuesAsText("action")).containsExactly("delete", "upsert");
        assertThat(audit.get("data").get(1).get("detail").asText()).isEqualTo("unlimited");
        assertThat(audit.get("data").get(0).get("actor").asText()).isEqualTo("admin");
    }

    @Test
    void groupAndOrganisationLimitsApplyPerSeatAndBadBodiesChangeNothing() throws Exception {
        for (String bad : List.of(
                "{\"scope\":{\"type\":\"team\"},\"amount\":\"1\",\"period\":\"daily\"}",
                "{\"scope\":{\"type\":\"organization\"},\"amount\":\"1.5\",\"period\":\"daily\"}",
                "{\"scope\":{\"type\":\"organization\"},\"amount\":\"1\",\"period\":\"hourly\"}",
                "{\"scope\":{\"type\":\"user\"},\"amount\":\"1\",\"period\":\"daily\"}",
                "not json")) {
            HttpResponse<String> response = gw.admin("POST", "/v1/organizations/spend_limits", bad);
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(response.body()).at("/error/type").asText())
                    .isEqualTo("invalid_request_error");
        }
        assertThat(Json.MAPPER
                        .readTree(gw.admin("GET", "/v1/organizations/spend_limits?scope_type=organization", null)
                                .body())
                        .get("data"))
                .isEmpty();

        String key = createKey("seat@example.com", "");
        JsonNode org = Json.MAPPER.readTree(gw.admin(
                        "POST",
                        "/v1/organizations/spend_limits",
                        "{\"scope\":{\"type\":\"organization\"},\"amount\":\"0\",\"period\":\"monthly\"}")
                .body());
        try {
            HttpResponse<String> blocked =
                    gw.send("POST", "/v1/messages", message("claude-sonnet-4-5"), "x-api-key", key);
            assertThat(blocked.statusCode()).isEqualTo(429);
            assertThat(Json.MAPPER.readTree(blocked.body()).at("/error/message").asText())
                    .contains("monthly");
            JsonNode page = Json.MAPPER.readTree(gw.admin("GET", "/v1/organizations/spend_limits?limit=1", null)
                    .body());
            assertThat(page.get("data")).hasSize(1);
            assertThat(page.has("has_more")).isTrue();
        } finally {
            gw.admin("DELETE", "/v1/organizations/spend_limits/" + org.get("id").asText(), null);
        }
        assertThat(gw.send("POST", "/v1/messages", message("claude-sonnet-4-5"), "x-api-key", key)
                        .statusCode())
                .isEqualTo(200);
    }
}
