package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.protocol.translate.Json;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * Browser and device sign-in against a real OpenID Connect provider, driven by an HTTP client that
 * behaves like a browser. Runs once per database: {@link WebSignInTest} (SQLite), {@link PostgresWebSignInTest}.
 */
@TestInstance(Lifecycle.PER_CLASS)
class WebSignInTest {
    static MockOAuth2Server IDP;
    static TestGateway gw;
    private TestDatabase database;

    TestDatabase database() {
        return TestDatabase.sqlite();
    }

    @BeforeAll
    void start() {
        IDP = new MockOAuth2Server(new Route[0]);
        IDP.start(InetAddress.getLoopbackAddress(), 0);
        database = database();
        gw = TestGateway.start(
                database.url(),
                Map.of(
                        "BSG_OIDC__ISSUER",
                        IDP.issuerUrl("company").toString(),
                        "BSG_OIDC__CLIENT_ID",
                        "bsg-gateway-client",
                        "BSG_OIDC__CLIENT_SECRET",
                        "client-secret",
                        "BSG_OIDC__ALLOWED_EMAIL_DOMAINS",
                        "example.com"));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            gw.close();
            database.close();
        } finally {
            IDP.shutdown();
        }
    }

    /** A browser: keeps the gateway's cookies (per host), follows redirects itself so each hop can be checked. */
    static final class Browser {
        final HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        final Map<String, Map<String, String>> jar = new HashMap<>();
        String lastSetCookie;

        HttpResponse<String> get(String url) throws Exception {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)));
            for (int hops = 0; response.statusCode() / 100 == 3 && hops < 10; hops++) {
                URI next = response.uri()
                        .resolve(response.headers().firstValue("location").orElseThrow());
                response = send(HttpRequest.newBuilder(next));
            }
            return response;
        }

        /**
         * What a person does for a device code: opens the device page, follows its sign-in link through the
         * identity provider, and presses Approve (or Deny) on the page the sign-in returns to.
         */
        HttpResponse<String> answerDevice(String gateway, String userCode, boolean approve) throws Exception {
            HttpResponse<String> page = get(gateway + "/device?user_code=" + userCode);
            Matcher link =
                    Pattern.compile("href=\"(/login\\?user_code=[^\"]+)\"").matcher(page.body());
            assertThat(link.find()).as(page.body()).isTrue();
            HttpResponse<String> confirm = get(gateway + link.group(1));
            Matcher token =
                    Pattern.compile("name=\"confirmation\" value=\"([^\"]+)\"").matcher(confirm.body());
            if (!token.find()) return confirm;
            return submit(
                    gateway + (approve ? "/device/confirm" : "/device/deny"),
                    "confirmation=" + token.group(1),
                    "Origin",
                    gateway);
        }

        HttpResponse<String> post(String url, String... headers) throws Exception {
            return postForm(url, "", headers);
        }

        /** Posts a form as a browser does, then follows the redirects it answers with. */
        HttpResponse<String> submit(String url, String form, String... headers) throws Exception {
            HttpResponse<String> response = postForm(url, form, headers);
            for (int hops = 0; response.statusCode() / 100 == 3 && hops < 10; hops++) {
                URI next = response.uri()
                        .resolve(response.headers().firstValue("location").orElseThrow());
                response = send(HttpRequest.newBuilder(next));
            }
            return response;
        }

        HttpResponse<String> postForm(String url, String form, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .header("Content-Type", "application/x-www-form-urlencoded");
            if (headers.length > 0) request.headers(headers);
            return send(request);
        }

        HttpResponse<String> send(HttpRequest.Builder builder) throws Exception {
            HttpRequest request = builder.build();
            Map<String, String> cookies = jar.computeIfAbsent(request.uri().getHost(), k -> new LinkedHashMap<>());
            if (!cookies.isEmpty()) {
                StringBuilder header = new StringBuilder();
                cookies.forEach((name, value) -> header.append(header.length() == 0 ? "" : "; ")
                        .append(name)
                        .append('=')
                        .append(value));
                request = HttpRequest.newBuilder(request, (n, v) -> true)
                        .header("Cookie", header.toString())
                        .build();
            }
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            for (String setCookie : response.headers().allValues("set-cookie")) {
                lastSetCookie = setCookie;
                String pair = setCookie.split(";", 2)[0];
                String name = pair.substring(0, pair.indexOf('='));
                if (setCookie.contains("Max-Age=0")) cookies.remove(name);
                else cookies.put(name, pair.substring(pair.indexOf('=') + 1));
            }
            return response;
        }
    }

    static void signInAs(String subject, String email, List<String> groups) {
        IDP.enqueueCallback(new DefaultOAuth2TokenCallback(
                "company",
                subject,
                "JWT",
                List.of("bsg-gateway-client"),
                Map.of("email", email, "name", "Person " + subject, "groups", groups),
                3600));
    }

    @Test
    void signingInLandsOnAPageThatKnowsWhoYouAreAndTheCookieIsASession() throws Exception {
        signInAs("alice-sub", "alice@example.com", List.of("eng", "ml"));
        Browser browser = new Browser();
        HttpResponse<String> home = browser.get(gw.url() + "/login");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body())
                .contains("alice@example.com")
                .contains("eng, ml")
                .contains("Sign out");
        assertThat(browser.jar.get(URI.create(gw.url()).getHost())).containsKey("bsg_session");
        assertThat(browser.lastSetCookie)
                .startsWith("bsg_session=ey")
                .contains("HttpOnly")
                .contains("SameSite=Lax")
                .doesNotContain("Secure");
        String jwt = browser.lastSetCookie.substring("bsg_session=".length(), browser.lastSetCookie.indexOf(';'));
        HttpResponse<String> inference = gw.send(
                "POST",
                "/v1/messages",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "Authorization",
                "Bearer " + jwt);
        assertThat(inference.statusCode()).isEqualTo(200);
        assertThat(gw.admin("GET", "/api/admin/audit?limit=10", null).body())
                .contains("\"action\":\"sign-in\"")
                .contains("alice@example.com");
    }

    @Test
    void aSignInStartedOnOneInstanceFinishesOnAnother() throws Exception {
        try (TestGateway second = TestGateway.start(
                database.url(),
                Map.of(
                        "BSG_OIDC__ISSUER",
                        IDP.issuerUrl("company").toString(),
                        "BSG_OIDC__CLIENT_ID",
                        "bsg-gateway-client",
                        "BSG_OIDC__CLIENT_SECRET",
                        "client-secret",
                        "BSG_SERVER__PUBLIC_URL",
                        gw.url()))) {
            signInAs("lb-sub", "lou@example.com", List.of());
            Browser browser = new Browser();
            // /login on the second instance; the IdP sends the browser back to the public URL, which is the first
            // instance.
            HttpResponse<String> home = browser.get(second.url() + "/login");
            assertThat(home.uri().toString()).startsWith(gw.url());
            assertThat(home.body()).contains("lou@example.com");
        }
    }

    @Test
    void anEmailOutsideTheAllowedDomainsIsRefusedWithAReason() throws Exception {
        signInAs("mallory-sub", "mallory@elsewhere.org", List.of());
        Browser browser = new Browser();
        HttpResponse<String> page = browser.get(gw.url() + "/login");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).contains("mallory@elsewhere.org").contains("elsewhere.org is not allowed");
        assertThat(browser.jar.getOrDefault(URI.create(gw.url()).getHost(), Map.of()))
                .doesNotContainKey("bsg_session");
        assertThat(gw.gateway.users().byEmail("mallory@elsewhere.org")).isEmpty();
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    HttpResponse<String> poll(String deviceCode) {
        return gw.send(
                "POST",
                "/oauth/token",
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=" + deviceCode,
                "Content-Type",
                "application/x-www-form-urlencoded");
    }

    @Test
    void discoveryAdvertisesSameOriginEndpoints() throws Exception {
        var doc = json(gw.send("GET", "/.well-known/oauth-authorization-server", null));
        assertThat(doc.get("device_authorization_endpoint").asText())
                .isEqualTo(gw.url() + "/oauth/device_authorization");
        assertThat(doc.get("token_endpoint").asText()).isEqualTo(gw.url() + "/oauth/token");
        assertThat(doc.get("revocation_endpoint").asText()).isEqualTo(gw.url() + "/oauth/revoke");
        assertThat(doc.get("grant_types_supported").toString())
                .contains("urn:ietf:params:oauth:grant-type:device_code")
                .contains("refresh_token");
        assertThat(doc.get("gateway_protocol_version").asInt()).isEqualTo(1);
    }

    @Test
    void theDeviceFlowAsClaudeCodeSpeaksIt() throws Exception {
        HttpResponse<String> started = gw.send(
                "POST",
                "/oauth/device_authorization",
                "surface=claude_code",
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(started.headers().firstValue("cache-control")).hasValue("no-store");
        var device = json(started);
        String userCode = device.get("user_code").asText();
        assertThat(userCode).matches("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}");
        assertThat(device.get("device_code").asText()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(device.get("interval").asInt()).isEqualTo(5);
        assertThat(device.get("expires_in").asInt()).isEqualTo(600);
        String deviceCode = device.get("device_code").asText();

        assertThat(json(poll(deviceCode)).get("error").asText()).isEqualTo("authorization_pending");
        assertThat(json(poll(deviceCode)).get("error").asText())
                .as("polled faster than the interval")
                .isEqualTo("slow_down");

        signInAs("dora-sub", "dora@example.com", List.of("eng"));
        Browser browser = new Browser();
        HttpResponse<String> page =
                browser.get(device.get("verification_uri_complete").asText());
        assertThat(page.body()).contains(userCode).contains("claude_code").contains("Sign in to continue");
        assertThat(json(poll(deviceCode)).get("error").asText())
                .as("showing the page approves nothing")
                .isIn("authorization_pending", "slow_down");
        HttpResponse<String> confirm = browser.get(gw.url() + "/login?user_code="
                + userCode.toLowerCase(Locale.ROOT).replace("-", "+"));
        assertThat(confirm.body())
                .as("after signing in, the code and the program are shown again to confirm")
                .contains("Approve this device?")
                .contains("dora@example.com")
                .contains(userCode)
                .contains("claude_code");
        Thread.sleep(5_000);
        assertThat(json(poll(deviceCode)).get("error").asText())
                .as("signed in but not yet confirmed: no token")
                .isEqualTo("authorization_pending");
        String confirmation = confirm.body().replaceAll("(?s).*name=\"confirmation\" value=\"([^\"]+)\".*", "$1");
        assertThat(browser.submit(gw.url() + "/device/confirm", "confirmation=" + confirmation)
                        .statusCode())
                .as("no Origin: CSRF refused")
                .isEqualTo(403);
        assertThat(new Browser()
                        .submit(gw.url() + "/device/confirm", "confirmation=made-up", "Origin", gw.url())
                        .statusCode())
                .isEqualTo(400);
        HttpResponse<String> approved =
                browser.submit(gw.url() + "/device/confirm", "confirmation=" + confirmation, "Origin", gw.url());
        assertThat(approved.body()).contains("Device connected").contains("dora@example.com");

        HttpResponse<String> tokens = poll(deviceCode);
        assertThat(tokens.statusCode()).isEqualTo(200);
        var body = json(tokens);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("email").asText()).isEqualTo("dora@example.com");
        assertThat(body.get("refresh_token").asText()).startsWith("bsgrt_");
        assertThat(json(poll(deviceCode)).get("error").asText())
                .as("a device code is redeemed once")
                .isEqualTo("expired_token");
        assertThat(gw.send(
                                "POST",
                                "/v1/messages",
                                "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                "Authorization",
                                "Bearer " + body.get("access_token").asText())
                        .statusCode())
                .isEqualTo(200);
        var me = json(gw.send(
                "GET",
                "/api/me",
                null,
                "Authorization",
                "Bearer " + body.get("access_token").asText()));
        assertThat(me.get("groups").toString()).isEqualTo("[\"eng\"]");
    }

    /** Signs a device in through the browser; returns the token response. */
    static JsonNode deviceSignIn(String subject, String email, List<String> groups) throws Exception {
        var device = json(gw.send(
                "POST",
                "/oauth/device_authorization",
                "surface=claude_code",
                "Content-Type",
                "application/x-www-form-urlencoded"));
        signInAs(subject, email, groups);
        new Browser().answerDevice(gw.url(), device.get("user_code").asText(), true);
        HttpResponse<String> tokens = gw.send(
                "POST",
                "/oauth/token",
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
                        + device.get("device_code").asText(),
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        return json(tokens);
    }

    /** The mock IdP answers a refresh with the claims it first issued, so this shows groups survive; the IdP-down case is in IdentityProviderEndsSessionsTest. */
    @Test
    void aRefreshedSessionKeepsTheGroupsTheIdentityProviderGives() throws Exception {
        var first = deviceSignIn("gil-sub", "gil@example.com", List.of("eng"));
        assertThat(json(gw.send(
                                "GET",
                                "/api/me",
                                null,
                                "Authorization",
                                "Bearer " + first.get("access_token").asText()))
                        .get("groups")
                        .toString())
                .isEqualTo("[\"eng\"]");
        HttpResponse<String> refreshed = gw.send(
                "POST",
                "/oauth/token",
                "grant_type=refresh_token&refresh_token="
                        + first.get("refresh_token").asText(),
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        assertThat(json(gw.send(
                                "GET",
                                "/api/me",
                                null,
                                "Authorization",
                                "Bearer " + json(refreshed).get("access_token").asText()))
                        .get("groups")
                        .toString())
                .isEqualTo("[\"eng\"]");
    }

    @Test
    void aDeniedDeviceIsToldSoAndUnknownCodesExpire() throws Exception {
        var device = json(gw.send(
                "POST", "/oauth/device_authorization", "", "Content-Type", "application/x-www-form-urlencoded"));
        Browser browser = new Browser();
        signInAs("dan-sub", "dan@example.com", List.of());
        HttpResponse<String> denied =
                browser.answerDevice(gw.url(), device.get("user_code").asText(), false);
        assertThat(denied.body()).contains("not signed in");
        assertThat(json(poll(device.get("device_code").asText())).get("error").asText())
                .isEqualTo("access_denied");
        assertThat(json(poll("no-such-device-code")).get("error").asText()).isEqualTo("expired_token");
        assertThat(browser.get(gw.url() + "/device?user_code=BBBB-BBBB").statusCode())
                .isEqualTo(400);
        assertThat(browser.get(gw.url() + "/login?user_code=BBBB-BBBB").statusCode())
                .isEqualTo(400);
    }

    @Test
    void aCallbackCannotBeReplayedOrForged() throws Exception {
        assertThat(new Browser()
                        .get(gw.url() + "/oauth/callback?code=stolen&state=made-up")
                        .statusCode())
                .isEqualTo(400);
    }

    /** Login CSRF: a callback URL started in the attacker's browser and finished in the victim's signs nobody in. */
    @Test
    void aSignInFinishesOnlyInTheBrowserThatStartedIt() throws Exception {
        // No identity queued at the IdP: the code is never redeemed (the mock hands out queued identities at
        // redemption).
        Browser attacker = new Browser();
        HttpResponse<String> toIdp = attacker.send(HttpRequest.newBuilder(URI.create(gw.url() + "/login")));
        assertThat(toIdp.headers().allValues("set-cookie"))
                .anySatisfy(c -> assertThat(c)
                        .startsWith("bsg_signin_")
                        .contains("HttpOnly")
                        .contains("SameSite=Lax")
                        .contains("Path=/oauth/callback"));
        HttpResponse<String> atIdp = attacker.send(HttpRequest.newBuilder(
                URI.create(toIdp.headers().firstValue("location").orElseThrow())));
        String callback = atIdp.headers().firstValue("location").orElseThrow();
        assertThat(callback).contains("/oauth/callback?code=");
        Browser victim = new Browser();
        HttpResponse<String> refused = victim.get(callback);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("started in another browser");
        assertThat(victim.jar.getOrDefault(URI.create(gw.url()).getHost(), Map.of()))
                .doesNotContainKey("bsg_session");
    }

    /** RFC 8628 §5.4: an attacker's code sent to a victim as a sign-in link gets no token unless the victim confirms it on our page. */
    @Test
    void aDeviceCodeSentToSomeoneElseIsNeverApprovedBySigningInAlone() throws Exception {
        var device = json(gw.send(
                "POST",
                "/oauth/device_authorization",
                "client_id=evil-tool",
                "Content-Type",
                "application/x-www-form-urlencoded",
                "Origin",
                gw.url()));
        Browser attacker = new Browser();
        HttpResponse<String> posted = attacker.postForm(
                gw.url() + "/device", "user_code=" + device.get("user_code").asText(), "Origin", gw.url());
        assertThat(posted.statusCode())
                .as("posting a code only leads to the page that shows it")
                .isEqualTo(303);
        assertThat(posted.headers().firstValue("location").orElseThrow()).startsWith("/device?user_code=");
        HttpResponse<String> toIdp = attacker.send(HttpRequest.newBuilder(URI.create(
                gw.url() + "/login?user_code=" + device.get("user_code").asText())));
        String idpLink = toIdp.headers().firstValue("location").orElseThrow();
        Browser victim = new Browser();
        HttpResponse<String> landed = victim.get(idpLink);
        assertThat(landed.body()).doesNotContain("Device connected").doesNotContain("Approve this device?");
        assertThat(json(poll(device.get("device_code").asText())).get("error").asText())
                .isIn("authorization_pending", "slow_down");
    }

    @Test
    void signOutNeedsTheSitesOwnFormAndClearsTheCookie() throws Exception {
        signInAs("bob-sub", "bob@example.com", List.of());
        Browser browser = new Browser();
        assertThat(browser.get(gw.url() + "/login").body()).contains("bob@example.com");
        HttpResponse<String> forged = browser.post(gw.url() + "/logout", "Origin", "https://evil.example.net");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(browser.get(gw.url() + "/").body()).contains("bob@example.com");
        HttpResponse<String> real = browser.post(gw.url() + "/logout", "Origin", gw.url());
        assertThat(real.statusCode()).isEqualTo(302);
        assertThat(real.headers().firstValue("set-cookie"))
                .hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
        assertThat(browser.get(gw.url() + "/").body()).contains("Sign in").doesNotContain("bob@example.com");
    }
}
