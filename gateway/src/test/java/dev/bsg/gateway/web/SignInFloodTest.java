package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import org.junit.jupiter.api.Test;

/** Anonymous GET /login writes a pending sign-in each: bounded per address, so nobody can fill the table. */
class SignInFloodTest {
    @Test
    void startingSignInsIsRateLimitedPerAddress() throws Exception {
        try (CompanyIdp idp = new CompanyIdp();
                TestDatabase database = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(database.url(), idp.gatewaySettings());
                Database db = new Database(gw.gateway.settings().database())) {
            int started = 0;
            int refusedAt = -1;
            for (int i = 0; i < 100 && refusedAt < 0; i++) {
                int status = gw.send("GET", "/login", null).statusCode();
                if (status == 302) started++;
                if (status == 429) refusedAt = i;
            }
            assertThat(refusedAt)
                    .as("refused once the address started too many")
                    .isPositive();
            long rows = new Sql(db)
                    .one("SELECT COUNT(*) FROM pending_sign_ins", r -> r.getLong(1))
                    .orElseThrow();
            assertThat(rows).isEqualTo(started).isLessThanOrEqualTo(60);
            assertThat(gw.send("GET", "/login", null).headers().firstValue("retry-after"))
                    .isPresent();
        }
    }
}
