package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.Test;

/** When the identity provider no longer vouches for a session, the gateway's next refresh fails (closed). */
class IdentityProviderEndsSessionsTest {
    @Test
    void aRefreshTheIdentityProviderCannotConfirmIsRefused() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server(new Route[0]);
        idp.start(InetAddress.getLoopbackAddress(), 0);
        try (TestDatabase database = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(
                        database.url(),
                        Map.of(
                                "BSG_OIDC__ISSUER",
                                idp.issuerUrl("company").toString(),
                                "BSG_OIDC__CLIENT_ID",
                                "bsg-gateway-client"))) {
            var device = WebSignInTest.json(gw.send(
                    "POST", "/oauth/device_authorization", "", "Content-Type", "application/x-www-form-urlencoded"));
            idp.enqueueCallback(new DefaultOAuth2TokenCallback(
                    "company",
                    "hal-sub",
                    "JWT",
                    List.of("bsg-gateway-client"),
                    Map.of("email", "hal@example.com"),
                    3600));
            WebSignInTest.Browser browser = new WebSignInTest.Browser();
            assertThat(browser.answerDevice(gw.url(), device.get("user_code").asText(), true)
                            .body())
                    .contains("Device connected");
            var tokens = WebSignInTest.json(gw.send(
                    "POST",
                    "/oauth/token",
                    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
                            + device.get("device_code").asText(),
                    "Content-Type",
                    "application/x-www-form-urlencoded"));
            assertThat(tokens.get("refresh_token").asText()).startsWith("bsgrt_");

            idp.shutdown();
            HttpResponse<String> refused = gw.send(
                    "POST",
                    "/oauth/token",
                    "grant_type=refresh_token&refresh_token="
                            + tokens.get("refresh_token").asText(),
                    "Content-Type",
                    "application/x-www-form-urlencoded");
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(WebSignInTest.json(refused).get("error").asText()).isEqualTo("invalid_grant");
            assertThat(gw.admin("GET", "/api/admin/audit?limit=5", null).body())
                    .contains("session.refresh")
                    .contains("refused");
        } finally {
            idp.shutdown();
        }
    }
}
