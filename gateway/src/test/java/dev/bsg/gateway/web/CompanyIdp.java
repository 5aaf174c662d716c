package dev.bsg.gateway.web;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/** The company's identity provider for a test: a real OpenID provider (mock-oauth2-server) on a loopback port. */
final class CompanyIdp implements AutoCloseable {
    private final MockOAuth2Server server = new MockOAuth2Server(new Route[0]);

    CompanyIdp() {
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    /** The gateway settings that point sign-in at this provider. */
    Map<String, String> gatewaySettings() {
        return Map.of(
                "BSG_OIDC__ISSUER",
                server.issuerUrl("company").toString(),
                "BSG_OIDC__CLIENT_ID",
                "bsg-gateway-client",
                "BSG_OIDC__CLIENT_SECRET",
                "client-secret");
    }

    /** Who the next sign-in is (the provider hands identities out in order, when a code is redeemed). */
    void nextSignIn(String subject, String email, List<String> groups) {
        server.enqueueCallback(new DefaultOAuth2TokenCallback(
                "company",
                subject,
                "JWT",
                List.of("bsg-gateway-client"),
                Map.of("email", email, "name", "Person " + subject, "groups", groups),
                3600));
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
