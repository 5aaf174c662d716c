package dev.bsg.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.store.User;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** In-process limits (no Redis): tokens per minute per key, and a group's requests per minute shared by its members. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitsTest {
    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    TestDatabase database;
    TestGateway gw;

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.sqlite();
        Path config = Files.createTempFile("limits", ".yaml");
        Files.writeString(config, """
                limits:
                  key:
                    tokens_per_minute: 30
                  groups:
                    eng:
                      requests_per_minute: 3
                    trial:
                      requests_per_minute: 2
                policies:
                  - match: {groups: [trial]}
                    settings: {availableModels: [claude-sonnet-4-5]}
                """);
        gw = TestGateway.start(database.url(), Map.of(), config);
    }

    @AfterAll
    void stop() throws Exception {
        gw.close();
        database.close();
    }

    @BeforeEach
    void holdTheMinute() {
        gw.clock.holdAt(Instant.now()); // every request of a test in one minute window, whatever the wall clock does
    }

    @Test
    void aKeysTokensPerMinuteStopItOnceTheMinutesTotalIsReached() {
        String key = gw.newUserKey("tokens@example.com");
        HttpResponse<String> first = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"input_tokens\"");
        HttpResponse<String> second = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
        assertThat(second.statusCode())
                .as("the first answer used more than 30 tokens")
                .isEqualTo(429);
        assertThat(second.body()).contains("30 tokens per minute per key");
        assertThat(Integer.parseInt(second.headers().firstValue("retry-after").orElseThrow()))
                .isBetween(1, 60);
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", gw.newUserKey("other@example.com"))
                        .statusCode())
                .as("another key has its own budget of tokens")
                .isEqualTo(200);
    }

    @Test
    void aGroupsMembersShareItsRequestsPerMinute() {
        String first = gw.newUserKey("eng1@example.com");
        String second = gw.newUserKey("eng2@example.com");
        for (String email : List.of("eng1@example.com", "eng2@example.com")) {
            User user = gw.gateway.users().byEmail(email).orElseThrow();
            gw.gateway.users().setGroups(user.id(), List.of("eng"));
        }
        // A fresh key for each request: the keys' own token limit stays out of it, and each reads its user's groups.
        int ok = 0;
        for (int i = 0; i < 5; i++) {
            String key = gw.newUserKey(i % 2 == 0 ? "eng1@example.com" : "eng2@example.com");
            if (gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key).statusCode() == 200) ok++;
        }
        assertThat(ok).isEqualTo(3);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aRequestTheModelPolicyRefusesCountsAgainstNoLimit() {
        User user = gw.gateway.users().findOrCreate("trial@example.com", null);
        gw.gateway.users().setGroups(user.id(), List.of("trial"));
        String key = gw.newUserKey("trial@example.com");
        String opus = MESSAGE.replace("claude-sonnet-4-5", "claude-opus-4-5");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> refused = gw.send("POST", "/v1/messages", opus, "x-api-key", key);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("is not in your role's availableModels allowlist");
        }
        HttpResponse<String> refusedOnBedrock = gw.send(
                "POST",
                "/model/us.anthropic.claude-opus-4-5-20251101-v1:0/invoke",
                "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-api-key",
                key);
        assertThat(refusedOnBedrock.statusCode()).isEqualTo(400);
        assertThat(refusedOnBedrock.body()).contains("availableModels allowlist");
        // The group's two requests a minute are all still there for models the policy allows, and then they run out
        // (a fresh key each time keeps the keys' own token limit out of it).
        for (int i = 0; i < 2; i++) {
            assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", gw.newUserKey("trial@example.com"))
                            .statusCode())
                    .isEqualTo(200);
        }
        HttpResponse<String> third =
                gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", gw.newUserKey("trial@example.com"));
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.body()).contains("2 requests per minute per group");
    }
}
