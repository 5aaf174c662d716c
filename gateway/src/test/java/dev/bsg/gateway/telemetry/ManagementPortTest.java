package dev.bsg.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Readiness details and metrics are for operators: on the management port, or with its token; never open. */
class ManagementPortTest {
    private static final String TOKEN = "management-token-" + "x".repeat(16);

    @Test
    void thePublicPortServesOnlyHealthAndTheManagementPortOnlyTheOperatorsEndpoints() throws Exception {
        try (TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(db.url(), Map.of())) {
            assertThat(gw.send("GET", "/healthz", null).statusCode()).isEqualTo(200);
            assertThat(gw.send("GET", "/metrics", null).statusCode()).isEqualTo(404);
            assertThat(gw.send("GET", "/readyz", null).statusCode()).isEqualTo(404);
            assertThat(gw.send("GET", "/metrics", null, "Authorization", "Bearer " + TOKEN)
                            .statusCode())
                    .as("no token configured: none works")
                    .isEqualTo(404);

            assertThat(gw.management("/metrics").body()).contains("bsg_background_last_success");
            assertThat(gw.management("/readyz").statusCode()).isEqualTo(200);
            assertThat(gw.management("/healthz").statusCode()).isEqualTo(200);
            assertThat(gw.management("/v1/models").statusCode())
                    .as("the management port is no second way in to the API")
                    .isEqualTo(404);
            assertThat(gw.management("/api/admin/users").statusCode()).isEqualTo(404);
            assertThat(gw.management("/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void withATokenThePublicPortServesThemToWhoeverHoldsIt() throws Exception {
        try (TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(
                        db.url(), Map.of("BSG_SERVER__MANAGEMENT_PORT", "-1", "BSG_SERVER__MANAGEMENT_TOKEN", TOKEN))) {
            assertThat(gw.gateway.managementUrl()).isNull();
            assertThat(gw.send("GET", "/metrics", null, "Authorization", "Bearer " + TOKEN)
                            .body())
                    .contains("bsg_background_last_success");
            assertThat(gw.send("GET", "/readyz", null, "Authorization", "Bearer " + TOKEN)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(gw.send("GET", "/metrics", null, "Authorization", "Bearer " + TOKEN + "x")
                            .statusCode())
                    .isEqualTo(404);
            assertThat(gw.send("GET", "/metrics", null).statusCode()).isEqualTo(404);
        }
    }
}
