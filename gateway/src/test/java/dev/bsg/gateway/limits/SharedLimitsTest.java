package dev.bsg.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.TestRedis;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two gateway instances sharing PostgreSQL and Redis hold every limit in total, and see each other's revocations. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedLimitsTest {
    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = MESSAGE.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"");
    TestDatabase database;
    TestGateway a;
    TestGateway b;

    @BeforeAll
    void start() {
        String redis = TestRedis.url();
        database = TestDatabase.postgres();
        Map<String, String> shared = Map.of(
                "BSG_CACHE__REDIS_URL",
                redis,
                "BSG_LIMITS__USER__REQUESTS_PER_MINUTE",
                "4",
                "BSG_LIMITS__USER__CONCURRENT_REQUESTS",
                "1");
        a = TestGateway.start(database.url(), shared);
        b = TestGateway.start(database.url(), shared);
    }

    @AfterAll
    void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        if (database != null) database.close();
    }

    @BeforeEach
    void holdTheMinute() {
        a.simulator.reset();
        b.simulator.reset();
        Instant now = Instant.now(); // both instances in one minute window, whatever the wall clock does
        a.clock.holdAt(now);
        b.clock.holdAt(now);
    }

    @Test
    void aRateLimitHoldsInTotalAcrossInstances() {
        String key = a.newUserKey("rate@example.com");
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response =
                    (i % 2 == 0 ? a : b).send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
            if (response.statusCode() == 200) ok++;
            if (response.statusCode() == 429) {
                limited++;
                assertThat(response.headers().firstValue("retry-after")).isPresent();
                assertThat(response.body()).contains("rate_limit_error").contains("4 requests per minute per user");
            }
        }
        assertThat(ok)
                .as("4 per minute for the user, wherever the requests land")
                .isEqualTo(4);
        assertThat(limited).isEqualTo(2);
    }

    @Test
    void aBudgetExhaustedThroughOneInstanceIsEnforcedByTheOther() throws Exception {
        String key = a.newUserKey("shared-budget@example.com");
        a.simulator.defaultReply(Reply.text("expensive").withCache(0, 1_000_000));
        HttpResponse<String> created = a.admin(
                "POST",
                "/v1/organizations/spend_limits",
                "{\"scope\":{\"type\":\"user\",\"user_id\":\"shared-budget@example.com\"},\"amount\":\"100\",\"period\":\"weekly\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(b.send("POST", "/v1/messages", MESSAGE, "x-api-key", key).statusCode())
                .as("under the limit: allowed")
                .isEqualTo(200);
        assertThat(a.send("POST", "/v1/messages", MESSAGE, "x-api-key", key).statusCode())
                .as("spends $4.13 through A")
                .isEqualTo(200);
        HttpResponse<String> blocked = b.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.body()).contains("spend limit reached (weekly");
        a.admin(
                "DELETE",
                "/v1/organizations/spend_limits/"
                        + Json.MAPPER.readTree(created.body()).get("id").asText(),
                null);
    }

    /** The slot is given back before the answer's last byte, so back-to-back requests never meet their own previous one. */
    @Test
    void backToBackRequestsUnderACapOfOneAreNeverRefused() throws Exception {
        a.simulator.defaultReply(Reply.text("quick").withDeltas(3));
        b.simulator.defaultReply(Reply.text("quick").withDeltas(3));
        for (int i = 0; i < 40; i++) {
            String key = i % 4 == 0
                    ? a.newUserKey("serial-" + i + "@example.com")
                    : null; // a fresh person every four: the rate limit is 4 a minute
            if (key != null) serialKey = key;
            boolean stream = i % 2 == 0;
            HttpResponse<String> response = (i % 3 == 0 ? a : b)
                    .send("POST", "/v1/messages", stream ? STREAM : MESSAGE, "x-api-key", serialKey);
            assertThat(response.statusCode())
                    .as("request %d (%s)", i, stream ? "stream" : "plain")
                    .isEqualTo(200);
        }
    }

    private String serialKey;

    @Test
    void aConcurrencyCapCountsStreamsOnEveryInstance() throws Exception {
        String key = a.newUserKey("concurrent@example.com");
        a.simulator.defaultReply(Reply.text("slow").withDeltas(10).withPacing(Duration.ZERO, Duration.ofMillis(150)));
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                HttpRequest.newBuilder(URI.create(a.url() + "/v1/messages"))
                        .header("anthropic-version", "2023-06-01")
                        .header("x-api-key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(400);
        HttpResponse<String> second = b.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.body()).contains("concurrent requests");
        assertThat(slow.get().statusCode()).isEqualTo(200);
        assertThat(b.send("POST", "/v1/messages", MESSAGE, "x-api-key", key).statusCode())
                .as("the slot is free again")
                .isEqualTo(200);
    }

    @Test
    void aKeyRevokedOnOneInstanceIsRefusedByTheOtherWithinFiveSeconds() throws Exception {
        HttpResponse<String> created =
                a.admin("POST", "/api/admin/keys", "{\"user_email\":\"revoked@example.com\",\"name\":\"k\"}");
        JsonNode key = Json.MAPPER.readTree(created.body());
        assertThat(b.send(
                                "POST",
                                "/v1/messages",
                                MESSAGE,
                                "x-api-key",
                                key.get("key").asText())
                        .statusCode())
                .as("B caches the key")
                .isEqualTo(200);
        Instant revoked = Instant.now();
        assertThat(a.admin("DELETE", "/api/admin/keys/" + key.get("id").asText(), null)
                        .statusCode())
                .isEqualTo(200);
        int status = 0;
        while (Duration.between(revoked, Instant.now()).toMillis() < 5_000) {
            status = b.send(
                            "POST",
                            "/v1/messages",
                            MESSAGE,
                            "x-api-key",
                            key.get("key").asText())
                    .statusCode();
            if (status == 401) break;
            Thread.sleep(50);
        }
        assertThat(status).isEqualTo(401);
    }
}
