package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import java.net.InetAddress;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.Route;
import org.junit.jupiter.api.Test;

/** Anonymous GET /login writes a pending sign-in each: bounded per address, so nobody can fill the table. */
class SignInFloodTest {
    @Test
    void startingSignInsIsRateLimitedPerAddress() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server(new Route[0]);
        idp.start(InetAddress.getLoopbackAddress(), 0);
        try (TestDatabase database = TestDatabase.sqlite();
             TestGateway gw = TestGateway.start(database.url(), Map.of("BSG_OIDC__ISSUER", idp.issuerUrl("company").toString(),
                     "BSG_OIDC__CLIENT_ID", "bsg-gateway-client"));
             Database db = new Database(gw.gateway.settings().database())) {
            int started = 0;
            int refusedAt = -1;
            for (int i = 0; i < 100 && refusedAt < 0; i++) {
                int status = gw.send("GET", "/login", null).statusCode();
                if (status == 302) started++;
                if (status == 429) refusedAt = i;
            }
            assertThat(refusedAt).as("refused once the address started too many").isPositive();
            long rows = new Sql(db).one("SELECT COUNT(*) FROM pending_sign_ins", r -> r.getLong(1)).orElseThrow();
            assertThat(rows).isEqualTo(started).isLessThanOrEqualTo(60);
            assertThat(gw.send("GET", "/login", null).headers().firstValue("retry-after")).isPresent();
        } finally {
            idp.shutdown();
        }
    }
}
