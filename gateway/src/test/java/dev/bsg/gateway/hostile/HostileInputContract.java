package dev.bsg.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.translate.Json;
import java.net.URLEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every hostile input of {@link HostileCorpus} against a real gateway: a 4xx (or a correct 2xx), JSON in
 * the right envelope, no internal names, nothing changed in the database, no upstream call for a request
 * refused at the Anthropic door, and metering still working afterwards. Run on SQLite and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostileInputContract {
    private static final Pattern INTERNAL = Pattern.compile(
            "java\\.|javax\\.|jakarta\\.|org\\.eclipse|com\\.fasterxml|dev\\.bsg|StreamReadConstraints|Exception:|\\tat |PSQL|SQLITE|org\\.postgresql|Hikari|<h2>HTTP ERROR");
    TestDatabase database;
    TestGateway gw;
    Database db;
    Sql sql;

    abstract TestDatabase database();

    @BeforeAll
    void start() {
        database = database();
        // A Claude profile of the gateway's own account passes; anything else an ARN names is refused.
        gw = TestGateway.start(database.url(), Map.of("BSG_MODELS__ALLOWED_ACCOUNTS", "123456789012"));
        db = new Database(gw.gateway.settings().database());
        sql = new Sql(db);
    }

    @AfterAll
    void stop() throws Exception {
        db.close();
        gw.close();
        database.close();
    }

    /** What a refused request must leave as it was. */
    String state() {
        return sql.one(
                        "SELECT (SELECT COUNT(*) FROM users) || '/' || (SELECT COALESCE(SUM(LENGTH(COALESCE(name, '')) + LENGTH(COALESCE(team, ''))), 0) FROM users)"
                                + " || '/' || (SELECT COUNT(*) FROM users WHERE disabled = TRUE) || '/' || (SELECT COUNT(*) FROM api_keys) || '/' || (SELECT COUNT(revoked_at) FROM api_keys)"
                                + " || '/' || (SELECT COUNT(*) FROM spend_limits) || '/' || (SELECT COUNT(*) FROM price_lists) || '/' || (SELECT COUNT(*) FROM refresh_tokens)",
                        r -> r.getString(1))
                .orElseThrow();
    }

    @Test
    void everyHostileInputIsRefusedCleanlyAndChangesNothing() throws Exception {
        String userId =
                gw.gateway.users().findOrCreate("target@example.com", "Target").id();
        List<HostileCorpus.Case> corpus = new HostileCorpus(gw.apiKey, TestGateway.ADMIN_KEY, userId).all();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(500);
        List<String> failures = new ArrayList<>();
        for (HostileCorpus.Case c : corpus) {
            String before = state();
            int upstreamBefore = gw.simulator.received().size();
            RawHttp.Response r = RawHttp.send(gw.gateway.port(), c.raw());
            String problem = judge(c, r);
            if (problem == null && r.status() >= 400 && !before.equals(state()))
                problem = "a refused request changed the database";
            if (problem == null
                    && r.status() >= 400
                    && c.envelope() == HostileCorpus.Envelope.ANTHROPIC
                    && gw.simulator.received().size() != upstreamBefore) {
                problem = "a request refused at the Anthropic door still went upstream";
            }
            if (problem != null)
                failures.add(
                        c.name() + " → " + r.status() + ": " + problem + " | " + HostileCorpus.abbreviate(r.text()));
        }
        assertThat(failures).as("%d hostile inputs", corpus.size()).isEmpty();
        assertMeteringStillWorks();
    }

    /** Null when the answer is what a hostile input should get, else what is wrong with it. */
    static String judge(HostileCorpus.Case c, RawHttp.Response r) throws Exception {
        if (r.status() < 0) return "no HTTP answer";
        if (r.status() >= 500 && !(c.http505() && r.status() == 505)) return "server error";
        if (INTERNAL.matcher(r.text()).find()) return "names an internal";
        if (r.status() < 400) return null;
        String type = r.header("content-type") == null ? "" : r.header("content-type");
        if (c.envelope() == HostileCorpus.Envelope.PAGE && type.startsWith("text/html")) return null;
        if (!type.startsWith("application/json")) return "not JSON (" + type + ")";
        JsonNode body = Json.MAPPER.readTree(r.body());
        boolean anthropic = body.path("type").asText().equals("error")
                && body.path("error").path("type").isTextual()
                && body.path("error").path("message").isTextual();
        boolean bedrock = r.header("x-amzn-errortype") != null
                && (body.path("message").isTextual() || body.path("Message").isTextual());
        boolean oauth = body.path("error").isTextual();
        return switch (c.envelope()) {
            case ANTHROPIC, PAGE -> anthropic ? null : "not the Anthropic error envelope";
            case BEDROCK -> bedrock ? null : "not the Bedrock error envelope";
            case OAUTH -> oauth || anthropic ? null : "not an OAuth error";
        };
    }

    void assertMeteringStillWorks() throws Exception {
        var answer = gw.send(
                "POST",
                "/v1/messages",
                HostileCorpus.VALID,
                "x-api-key",
                gw.apiKey,
                "x-claude-code-session-id",
                "after-the-storm");
        assertThat(answer.statusCode()).isEqualTo(200);
        List<String> landed = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> sql.list(
                                "SELECT request_id FROM usage_records WHERE session_id = 'after-the-storm'",
                                r -> r.getString(1)),
                        rows -> !rows.isEmpty());
        assertThat(landed).as("a normal request is still metered afterwards").hasSize(1);
        assertThat(gw.gateway.usageWriter().journalBytes()).isZero();
        assertThat(sql.one("SELECT COUNT(*) FROM usage_dead_letters", r -> r.getLong(1))
                        .orElseThrow())
                .as("no record was refused")
                .isZero();
    }

    /** /metrics grows no series for made-up model names (it went from 4 to 54 after 50 requests). */
    @Test
    void madeUpModelNamesAddNoMetricSeries() {
        for (int i = 0; i < 50; i++) {
            gw.send(
                    "POST",
                    "/v1/messages",
                    HostileCorpus.VALID.replace("claude-sonnet-4-5", "claude-made-up-" + i),
                    "x-api-key",
                    gw.apiKey);
            gw.send(
                    "POST",
                    "/model/anthropic.claude-made-up-" + i + "-v1:0/invoke",
                    HostileCorpus.BEDROCK_VALID,
                    "Authorization",
                    "Bearer " + gw.apiKey);
        }
        String metrics = gw.management("/metrics").body();
        assertThat(metrics).doesNotContain("claude-made-up-");
        assertThat(metrics).contains("model=\"other\"");
    }

    @Test
    void aMissingVersionOrABadShapeIsRefusedAsAnthropicRefusesItWithoutAnUpstreamCall() throws Exception {
        int before = gw.simulator.received().size();
        var missing =
                gw.send("POST", "/v1/messages", HostileCorpus.VALID, "x-api-key", gw.apiKey, "anthropic-version", "");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(missing.body()).at("/error/message").asText())
                .isEqualTo("anthropic-version: header is required");
        var shape = gw.send(
                "POST",
                "/v1/messages",
                HostileCorpus.VALID.replace("\"max_tokens\":16", "\"max_tokens\":\"16\""),
                "x-api-key",
                gw.apiKey);
        assertThat(Json.MAPPER.readTree(shape.body()).at("/error/message").asText())
                .isEqualTo("max_tokens: Input should be a valid integer");
        var noMessages = gw.send(
                "POST", "/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16}", "x-api-key", gw.apiKey);
        assertThat(Json.MAPPER.readTree(noMessages.body()).at("/error/message").asText())
                .isEqualTo("messages: Field required");
        var unknownField = gw.send(
                "POST",
                "/v1/messages",
                HostileCorpus.VALID.replace("{\"model\"", "{\"future_field\":{\"x\":1},\"model\""),
                "x-api-key",
                gw.apiKey);
        assertThat(unknownField.statusCode())
                .as("unknown fields still pass through")
                .isEqualTo(200);
        assertThat(gw.simulator.received().size()).isEqualTo(before + 1);
    }

    @Test
    void onlyClaudeModelsOfTheConfiguredAccountAndRegionsAreCalled() throws Exception {
        int before = gw.simulator.received().size();
        var llama = gw.send(
                "POST",
                "/v1/messages",
                HostileCorpus.VALID.replace("claude-sonnet-4-5", "meta.llama3-8b-instruct-v1:0"),
                "x-api-key",
                gw.apiKey);
        assertThat(llama.statusCode()).isEqualTo(404);
        var llamaOnBedrock = gw.send(
                "POST",
                "/model/meta.llama3-8b-instruct-v1:0/invoke",
                HostileCorpus.BEDROCK_VALID,
                "Authorization",
                "Bearer " + gw.apiKey);
        assertThat(llamaOnBedrock.statusCode()).isEqualTo(400);
        assertThat(llamaOnBedrock.body()).contains("not a Claude model");
        var llamaProfileArn = gw.send(
                "POST",
                "/v1/messages",
                HostileCorpus.VALID.replace(
                        "claude-sonnet-4-5",
                        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-8b-instruct-v1:0"),
                "x-api-key",
                gw.apiKey);
        assertThat(llamaProfileArn.statusCode()).isEqualTo(400);
        assertThat(gw.simulator.received()).as("none of them reached Bedrock").hasSize(before);
        var otherAccount = gw.send(
                "POST",
                "/model/"
                        + URLEncoder.encode(
                                "arn:aws:bedrock:us-east-1:999999999999:application-inference-profile/abc", "UTF-8")
                        + "/invoke",
                HostileCorpus.BEDROCK_VALID,
                "Authorization",
                "Bearer " + gw.apiKey);
        assertThat(otherAccount.statusCode()).isEqualTo(400);
        assertThat(otherAccount.headers().firstValue("x-amzn-errortype").orElse(""))
                .startsWith("ValidationException");
        assertThat(otherAccount.body()).contains("999999999999").contains("models.allowed_accounts");
        var own = gw.send(
                "POST",
                "/model/"
                        + URLEncoder.encode(
                                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                                "UTF-8")
                        + "/invoke",
                HostileCorpus.BEDROCK_VALID,
                "Authorization",
                "Bearer " + gw.apiKey);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    }

    @Test
    void wrongTypesNeverChangeAUserOrMakeAKeyWithoutExpiry() throws Exception {
        String id =
                gw.gateway.users().findOrCreate("typed@example.com", "Typed").id();
        for (String body :
                List.of("{\"name\":{}}", "{\"name\":[]}", "{\"name\":5}", "{\"disabled\":true,\"name\":{}}")) {
            var refused = gw.admin("PATCH", "/api/admin/users/" + id, body);
            assertThat(refused.statusCode()).as(body).isEqualTo(400);
            assertThat(refused.body()).contains("name:");
        }
        var user = gw.gateway.users().byId(id).orElseThrow();
        assertThat(user.name()).isEqualTo("Typed");
        assertThat(user.disabled()).isFalse();
        var noExpiry =
                gw.admin("POST", "/api/admin/keys", "{\"user_email\":\"typed@example.com\",\"expires_at\":1e20}");
        assertThat(noExpiry.statusCode()).isEqualTo(400);
        assertThat(noExpiry.body()).contains("expires_at");
    }
}
