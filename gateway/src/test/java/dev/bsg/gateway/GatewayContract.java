package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Keys, users, admin API and audit end to end, through HTTP on a real port. Runs once per database:
 * see {@link SqliteGatewayTest} and {@link PostgresGatewayTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayContract {
    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    TestGateway gw;

    abstract TestDatabase database();

    @BeforeAll
    void start() {
        gw = TestGateway.start(database());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            gw.close();
        } finally {
            database().close();
        }
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    String createKey(String email, String name) throws Exception {
        HttpResponse<String> created =
                gw.admin("POST", "/api/admin/keys", "{\"user_email\":\"" + email + "\",\"name\":\"" + name + "\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        return json(created).get("key").asText();
    }

    @Test
    void anAdminCreatedKeyWorksOnBothDoorsAndIsShownOnlyOnce() throws Exception {
        HttpResponse<String> created =
                gw.admin("POST", "/api/admin/keys", "{\"user_email\":\"Alice@Example.com\",\"name\":\"laptop\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode key = json(created);
        assertThat(key.get("key").asText()).matches("SSOK_[0-9A-Za-z]{32}");
        assertThat(key.get("user_email").asText()).isEqualTo("alice@example.com");
        String secret = key.get("key").asText();

        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret).statusCode())
                .isEqualTo(200);
        assertThat(gw.send(
                                "POST",
                                "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke",
                                "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8,\"messages\":[]}",
                                "Authorization",
                                "Bearer " + secret)
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<String> listed = gw.admin("GET", "/api/admin/keys?user_email=alice@example.com", null);
        assertThat(listed.body())
                .contains(key.get("id").asText())
                .doesNotContain(secret)
                .contains(secret.substring(secret.length() - 4));
    }

    @Test
    void revocationTakesEffectAtOnce() throws Exception {
        String secret = createKey("bob@example.com", "ci");
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret).statusCode())
                .isEqualTo(200);
        String id = json(gw.admin("GET", "/api/admin/keys?user_email=bob@example.com", null))
                .get("data")
                .get(0)
                .get("id")
                .asText();
        assertThat(gw.admin("DELETE", "/api/admin/keys/" + id, null).statusCode())
                .isEqualTo(200);
        HttpResponse<String> refused = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).at("/error/message").asText()).contains("revoked");
        assertThat(refused.headers().firstValue("x-should-retry")).hasValue("false");
    }

    @Test
    void disablingAUserStopsAllTheirKeys() throws Exception {
        String secret = createKey("carol@example.com", "one");
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret).statusCode())
                .isEqualTo(200);
        HttpResponse<String> patched = gw.admin("PATCH", "/api/admin/users/carol@example.com", "{\"disabled\":true}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(json(patched).get("disabled").asBoolean()).isTrue();
        HttpResponse<String> refused = gw.send(
                "POST",
                "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke",
                "{}",
                "Authorization",
                "Bearer " + secret);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("x-amzn-errortype")).hasValue("AccessDeniedException");
        gw.admin("PATCH", "/api/admin/users/carol@example.com", "{\"disabled\":false}");
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret).statusCode())
                .isEqualTo(200);
    }

    @Test
    void adminActionsAreAuditedAndNeedAnAdminKey() throws Exception {
        createKey("dave@example.com", "audited");
        JsonNode audit = json(gw.admin("GET", "/api/admin/audit?limit=50", null));
        assertThat(audit.get("data").findValuesAsText("action")).contains("key.create");
        assertThat(audit.toString()).contains("dave@example.com").doesNotContain("SSOK_");
        HttpResponse<String> asUser = gw.send("GET", "/api/admin/users", null, "x-api-key", gw.apiKey);
        assertThat(asUser.statusCode()).isEqualTo(403);
        assertThat(gw.send("GET", "/api/admin/users", null).statusCode()).isEqualTo(401);
    }

    @Test
    void badAdminInputIsAClear400AndChangesNothing() throws Exception {
        int before = json(gw.admin("GET", "/api/admin/users", null)).get("data").size();
        assertThat(gw.admin("POST", "/api/admin/keys", "{\"user_email\":\"not-an-email\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(gw.admin("POST", "/api/admin/keys", "{oops").statusCode()).isEqualTo(400);
        assertThat(gw.admin("POST", "/api/admin/keys", "{\"user_email\":\"e@x.io\",\"expires_at\":\"tomorrow\"}")
                        .body())
                .contains("ISO-8601");
        assertThat(gw.admin("PATCH", "/api/admin/users/nobody@example.com", "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(gw.admin("DELETE", "/api/admin/keys/key_nope", null).statusCode())
                .isEqualTo(404);
        assertThat(json(gw.admin("GET", "/api/admin/users", null)).get("data").size())
                .isEqualTo(before);
    }

    @Test
    void keysSurviveARestartOfTheGateway() throws Exception {
        String secret = createKey("erin@example.com", "durable");
        String url = database().url();
        gw.close();
        try (TestGateway again = TestGateway.startOn(url)) {
            assertThat(again.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret)
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            gw = TestGateway.startOn(url);
        }
    }

    static String form(String... pairs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (out.length() > 0) out.append('&');
            out.append(pairs[i]).append('=').append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    HttpResponse<String> token(String... pairs) {
        return gw.send("POST", "/oauth/token", form(pairs), "Content-Type", "application/x-www-form-urlencoded");
    }

    @Test
    void sessionTokensWorkOnBothDoorsAndRefreshRotatesWithReuseDetection() throws Exception {
        var user = gw.gateway.users().findOrCreate("frank@example.com", "Frank");
        var pair = gw.gateway.sessions().start(user, "idp-frank", List.of("eng"));
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "Authorization", "Bearer " + pair.accessToken())
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.send(
                                "POST",
                                "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke",
                                "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8,\"messages\":[]}",
                                "Authorization",
                                "Bearer " + pair.accessToken())
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<String> refreshed = token("grant_type", "refresh_token", "refresh_token", pair.refreshToken());
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(refreshed.headers().firstValue("cache-control")).hasValue("no-store");
        JsonNode next = json(refreshed);
        assertThat(next.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(next.get("expires_in").asInt()).isEqualTo(3600);
        assertThat(next.get("refresh_token").asText()).startsWith("bsgrt_").isNotEqualTo(pair.refreshToken());
        assertThat(gw.send(
                                "POST",
                                "/v1/messages",
                                MESSAGE,
                                "Authorization",
                                "Bearer " + next.get("access_token").asText())
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<String> replay = token("grant_type", "refresh_token", "refresh_token", pair.refreshToken());
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(json(replay).get("error").asText()).isEqualTo("invalid_grant");
        assertThat(token(
                                "grant_type",
                                "refresh_token",
                                "refresh_token",
                                next.get("refresh_token").asText())
                        .statusCode())
                .as("reuse of a spent token revoked the whole family")
                .isEqualTo(401);
        for (String access :
                List.of(pair.accessToken(), next.get("access_token").asText())) {
            HttpResponse<String> stolen = gw.send("POST", "/v1/messages", MESSAGE, "Authorization", "Bearer " + access);
            assertThat(stolen.statusCode())
                    .as("access tokens already issued to the family are revoked with it")
                    .isEqualTo(401);
            assertThat(stolen.body()).contains("revoked");
        }
        assertThat(json(gw.admin("GET", "/api/admin/audit?limit=20", null)).toString())
                .contains("session.refresh")
                .contains("reused");
    }

    @Test
    void revocationAndDisablingEndSessionsAtTheNextRefresh() throws Exception {
        var user = gw.gateway.users().findOrCreate("grace@example.com", "Grace");
        var revoked = gw.gateway.sessions().start(user, "idp-grace", List.of());
        assertThat(gw.send(
                                "POST",
                                "/oauth/revoke",
                                form("token", revoked.refreshToken(), "token_type_hint", "refresh_token"),
                                "Content-Type",
                                "application/x-www-form-urlencoded")
                        .statusCode())
                .isEqualTo(200);
        assertThat(token("grant_type", "refresh_token", "refresh_token", revoked.refreshToken())
                        .statusCode())
                .isEqualTo(401);
        assertThat(gw.send(
                                "POST",
                                "/oauth/revoke",
                                form("token", "whatever"),
                                "Content-Type",
                                "application/x-www-form-urlencoded")
                        .statusCode())
                .as("RFC 7009: unknown tokens are fine")
                .isEqualTo(200);

        var live = gw.gateway.sessions().start(user, "idp-grace", List.of());
        gw.admin("PATCH", "/api/admin/users/grace@example.com", "{\"disabled\":true}");
        HttpResponse<String> refused = token("grant_type", "refresh_token", "refresh_token", live.refreshToken());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).get("error_description").asText()).contains("disabled");
    }

    @Test
    void aRevokedAccessTokenStopsAtOnceHereAndWithinSecondsOnOtherInstances() throws Exception {
        var pair = gw.gateway
                .sessions()
                .start(gw.gateway.users().findOrCreate("ivy@example.com", "Ivy"), "idp-ivy", List.of());
        String bearer = "Bearer " + pair.accessToken();
        try (TestGateway other = TestGateway.startOn(database().url())) {
            assertThat(other.send("POST", "/v1/messages", MESSAGE, "Authorization", bearer)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(gw.send(
                                    "POST",
                                    "/oauth/revoke",
                                    form("token", pair.accessToken()),
                                    "Content-Type",
                                    "application/x-www-form-urlencoded")
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> here = gw.send("POST", "/v1/messages", MESSAGE, "Authorization", bearer);
            assertThat(here.statusCode()).isEqualTo(401);
            assertThat(json(here).at("/error/message").asText()).contains("revoked");
            long deadline = System.currentTimeMillis() + 8000;
            int status = 200;
            while (status == 200 && System.currentTimeMillis() < deadline) {
                Thread.sleep(250);
                status = other.send("POST", "/v1/messages", MESSAGE, "Authorization", bearer)
                        .statusCode();
            }
            assertThat(status).as("the other instance learnt of the revocation").isEqualTo(401);
        }
    }

    @Test
    void badTokenRequestsGetOAuthErrors() throws Exception {
        assertThat(json(token("grant_type", "password", "username", "x"))
                        .get("error")
                        .asText())
                .isEqualTo("unsupported_grant_type");
        assertThat(json(token("refresh_token", "x")).get("error").asText()).isEqualTo("invalid_request");
        assertThat(json(token("grant_type", "refresh_token")).get("error").asText())
                .isEqualTo("invalid_request");
        HttpResponse<String> forged = gw.send(
                "POST",
                "/v1/messages",
                MESSAGE,
                "Authorization",
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("x-should-retry")).hasValue("false");
    }

    @Test
    void usersManageTheirOwnKeysAndNobodyElses() throws Exception {
        var hana = gw.gateway
                .sessions()
                .start(gw.gateway.users().findOrCreate("hana@example.com", "Hana"), "idp-hana", List.of("eng"));
        var ivan = gw.gateway
                .sessions()
                .start(gw.gateway.users().findOrCreate("ivan@example.com", "Ivan"), "idp-ivan", List.of());
        String asHana = "Bearer " + hana.accessToken();
        JsonNode me = json(gw.send("GET", "/api/me", null, "Authorization", asHana));
        assertThat(me.get("email").asText()).isEqualTo("hana@example.com");
        assertThat(me.get("groups").toString()).isEqualTo("[\"eng\"]");
        assertThat(me.get("admin").asBoolean()).isFalse();

        HttpResponse<String> created = gw.send(
                "POST",
                "/api/keys",
                "{\"name\":\"laptop\",\"expires_at\":\"2099-01-01T00:00:00Z\"}",
                "Authorization",
                asHana,
                "Content-Type",
                "application/json");
        assertThat(created.statusCode()).isEqualTo(201);
        String secret = json(created).get("key").asText();
        String id = json(created).get("id").asText();
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret).statusCode())
                .isEqualTo(200);
        assertThat(json(gw.send("GET", "/api/keys", null, "Authorization", asHana))
                        .get("data")
                        .findValuesAsText("id"))
                .containsExactly(id);
        assertThat(json(gw.send("GET", "/api/keys", null, "Authorization", "Bearer " + ivan.accessToken()))
                        .get("data"))
                .isEmpty();

        assertThat(gw.send("DELETE", "/api/keys/" + id, null, "Authorization", "Bearer " + ivan.accessToken())
                        .statusCode())
                .as("someone else's key does not exist for you")
                .isEqualTo(404);
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret).statusCode())
                .isEqualTo(200);
        assertThat(gw.send("DELETE", "/api/keys/" + id, null, "Authorization", asHana)
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", secret).statusCode())
                .isEqualTo(401);
        assertThat(gw.send("GET", "/api/me", null).statusCode()).isEqualTo(401);
    }

    @Test
    void readinessReportsTheDatabase() throws Exception {
        HttpResponse<String> ready = gw.management("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).at("/checks/database/status").asText()).isEqualTo("ok");
    }
}
