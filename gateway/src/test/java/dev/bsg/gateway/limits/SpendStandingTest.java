package dev.bsg.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.TestRedis;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.Reply;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A person's spend standing for each period equals the usage report for the same period, to the
 * nanodollar: on one instance (limits created while records are still on their way to the database)
 * and on two, with Redis and without.
 */
class SpendStandingTest {
    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void oneInstanceLimitsAddedWhileRecordsAreQueued() throws Exception {
        try (TestDatabase database = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(database.url(), Map.of())) {
            traffic(List.of(gw), "solo@example.com");
        }
    }

    @Test
    void twoInstancesSharingRedis() throws Exception {
        String redis = TestRedis.url();
        try (TestDatabase database = TestDatabase.postgres();
                TestGateway a = TestGateway.start(database.url(), Map.of("BSG_CACHE__REDIS_URL", redis));
                TestGateway b = TestGateway.start(database.url(), Map.of("BSG_CACHE__REDIS_URL", redis))) {
            traffic(List.of(a, b), "pair-redis@example.com");
        }
    }

    @Test
    void twoInstancesWithoutRedis() throws Exception {
        try (TestDatabase database = TestDatabase.postgres();
                TestGateway a = TestGateway.start(database.url(), Map.of());
                TestGateway b = TestGateway.start(database.url(), Map.of())) {
            traffic(List.of(a, b), "pair@example.com");
        }
    }

    /** Requests spread over the instances, a limit per period set between them, then every instance's standing against the report. */
    static void traffic(List<TestGateway> instances, String email) throws Exception {
        TestGateway first = instances.get(0);
        String key = first.newUserKey(email);
        for (TestGateway gw : instances)
            gw.simulator.defaultReply(Reply.text("priced").withCache(1234, 56_789));
        int sent = 0;
        for (String period : List.of("daily", "weekly", "monthly")) {
            HttpResponse limit = new HttpResponse(first.admin(
                    "POST",
                    "/v1/organizations/spend_limits",
                    "{\"scope\":{\"type\":\"user\",\"user_id\":\"" + email + "\"},\"amount\":\"100000\",\"period\":\""
                            + period + "\"}"));
            assertThat(limit.status).as(limit.body).isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                TestGateway gw = instances.get(sent % instances.size());
                var answer = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                sent++;
                // Read the standing while the record is still queued: it must never be frozen short of it.
                for (TestGateway other : instances) standing(other, email);
            }
        }
        BigDecimal reportUsd = null;
        for (int i = 0; i < 100; i++) {
            JsonNode row = reportRow(first, email, null);
            if (row != null && row.get("requests").asLong() == sent) {
                reportUsd = new BigDecimal(row.get("cost_usd").asText());
                break;
            }
            Thread.sleep(100);
        }
        assertThat(reportUsd).as("all %d records landed", sent).isNotNull().isPositive();
        Instant now = Instant.now();
        Map<String, BigDecimal> reportByPeriod = new HashMap<>();
        for (Period period : Period.values()) {
            JsonNode row = reportRow(first, email, period.start(now).toString());
            reportByPeriod.put(
                    period.apiName(),
                    row == null
                            ? BigDecimal.ZERO
                            : new BigDecimal(row.get("cost_usd").asText()));
        }
        Thread.sleep(1100); // an instance without Redis rereads written spend at least every second
        for (TestGateway gw : instances) {
            Map<String, BigDecimal> standing = standing(gw, email);
            for (Period period : Period.values()) {
                assertThat(standing.get(period.apiName()).movePointLeft(2).stripTrailingZeros())
                        .as("%s standing on %s equals the usage report", period.apiName(), gw.url())
                        .isEqualTo(reportByPeriod.get(period.apiName()).stripTrailingZeros());
            }
        }
    }

    /** period → spend so far in cents, as the effective-limits endpoint reports it. */
    static Map<String, BigDecimal> standing(TestGateway gw, String email) throws Exception {
        JsonNode rows = Json.MAPPER.readTree(gw.admin(
                        "GET",
                        "/v1/organizations/spend_limits/effective?q="
                                + URLEncoder.encode(email, StandardCharsets.UTF_8),
                        null)
                .body());
        Map<String, BigDecimal> byPeriod = new HashMap<>();
        for (JsonNode row : rows.get("data"))
            byPeriod.put(
                    row.get("period").asText(),
                    new BigDecimal(row.get("period_to_date_spend").asText()));
        assertThat(byPeriod).hasSize(3);
        return byPeriod;
    }

    static JsonNode reportRow(TestGateway gw, String email, String from) throws Exception {
        JsonNode report = Json.MAPPER.readTree(
                gw.admin("GET", "/api/admin/usage?group_by=user" + (from == null ? "" : "&from=" + from), null)
                        .body());
        for (JsonNode row : report.get("data"))
            if (email.equals(row.path("user").asText())) return row;
        return null;
    }

    private record HttpResponse(int status, String body) {
        HttpResponse(java.net.http.HttpResponse<String> response) {
            this(response.statusCode(), response.body());
        }
    }
}
