package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.protocol.translate.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit trail records the client's real address through a trusted proxy, and nobody else's word for it. */
class ForwardedClientTest {
    private static String auditedAddress(TestGateway gw, String... headers) throws Exception {
        String[] all = new String[headers.length + 4];
        all[0] = "Authorization";
        all[1] = "Bearer " + TestGateway.ADMIN_KEY;
        all[2] = "Content-Type";
        all[3] = "application/json";
        System.arraycopy(headers, 0, all, 4, headers.length);
        assertThat(gw.send("POST", "/api/admin/keys", "{\"user_email\":\"fwd@example.com\",\"name\":\"k\"}", all)
                        .statusCode())
                .isEqualTo(201);
        return Json.MAPPER
                .readTree(gw.admin("GET", "/api/admin/audit?limit=1", null).body())
                .at("/data/0/source_ip")
                .asText();
    }

    /** The cookie a sign-out clears, as the browser would be told behind a proxy that took TLS. */
    private static String signOutCookie(TestGateway gw) {
        return gw.send(
                        "POST",
                        "/logout",
                        "",
                        "Origin",
                        gw.url(),
                        "X-Forwarded-Proto",
                        "https",
                        "Content-Type",
                        "application/x-www-form-urlencoded")
                .headers()
                .firstValue("set-cookie")
                .orElseThrow();
    }

    @Test
    void aSpoofedHeaderFromAnUntrustedAddressIsIgnored() throws Exception {
        try (TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(db.url(), Map.of())) {
            assertThat(auditedAddress(gw, "X-Forwarded-For", "203.0.113.9", "Forwarded", "for=198.51.100.7"))
                    .isEqualTo("127.0.0.1");
            assertThat(signOutCookie(gw)).doesNotContain("Secure");
        }
    }

    @Test
    void behindATrustedProxyTheForwardedClientIsAudited() throws Exception {
        try (TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(db.url(), Map.of("BSG_SERVER__TRUSTED_PROXIES", "127.0.0.1/32"))) {
            assertThat(auditedAddress(gw, "X-Forwarded-For", "198.51.100.66, 203.0.113.9"))
                    .as("the hop the proxy saw, not what the client claimed before it")
                    .isEqualTo("203.0.113.9");
            assertThat(auditedAddress(gw, "X-Forwarded-For", "198.51.100.66", "X-Forwarded-For", "203.0.113.9"))
                    .as("a proxy that adds its own field (HAProxy) after the client's: the fields are one list")
                    .isEqualTo("203.0.113.9");
            assertThat(auditedAddress(gw, "Forwarded", "for=\"[2001:db8::7]:443\";proto=https"))
                    .isEqualTo("2001:db8:0:0:0:0:0:7");
            assertThat(signOutCookie(gw))
                    .as("the browser came over TLS to the proxy: the cookie is Secure")
                    .contains("; Secure");
        }
    }
}
