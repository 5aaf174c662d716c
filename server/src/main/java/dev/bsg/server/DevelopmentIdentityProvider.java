package dev.bsg.server;

import java.net.InetAddress;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.Route;

/**
 * The demo's OpenID Connect provider: a local, interactive one where any email address typed as
 * the user name signs in. For trying sign-in offline; never for real use.
 */
final class DevelopmentIdentityProvider implements AutoCloseable {
    private static final String ISSUER_ID = "demo";
    private final MockOAuth2Server server;

    private DevelopmentIdentityProvider(MockOAuth2Server server) {
        this.server = server;
    }

    static DevelopmentIdentityProvider start() {
        MockOAuth2Server server = new MockOAuth2Server(
                OAuth2Config.Companion.fromJson("{\"interactiveLogin\":true,\"httpServer\":\"NettyWrapper\"}"),
                new Route[0]);
        server.start(InetAddress.getLoopbackAddress(), 0);
        return new DevelopmentIdentityProvider(server);
    }

    /** Points the gateway at this provider; the user name typed at its login page is the email. */
    Map<String, String> gatewayEnvironment() {
        return Map.of(
                "BSG_OIDC__ISSUER",
                server.issuerUrl(ISSUER_ID).toString(),
                "BSG_OIDC__CLIENT_ID",
                "bsg-demo",
                "BSG_OIDC__EMAIL_CLAIM",
                "sub");
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
