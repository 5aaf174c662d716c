package dev.bsg.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    private final TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"));

    @Test
    void withoutTrustedProxiesTheConnectionIsTheClient() {
        assertThat(TrustedProxies.none().client("198.51.100.1", false, null, "203.0.113.9", "https"))
                .isEqualTo(new TrustedProxies.Client("198.51.100.1", false));
    }

    @Test
    void aClientOutsideTheProxyNetworksCannotSpoofItsAddressOrScheme() {
        assertThat(proxies.client("198.51.100.1", false, "for=203.0.113.9;proto=https", "203.0.113.9", "https"))
                .isEqualTo(new TrustedProxies.Client("198.51.100.1", false));
    }

    @Test
    void theLastHopNoTrustedProxyVouchesForIsTheClient() {
        assertThat(proxies.client("10.1.2.3", false, null, "203.0.113.9", "https"))
                .isEqualTo(new TrustedProxies.Client("203.0.113.9", true));
        assertThat(proxies.client("10.1.2.3", false, null, "198.51.100.66, 203.0.113.9, 10.9.9.9", "http"))
                .as("what the client itself put first is not believed")
                .isEqualTo(new TrustedProxies.Client("203.0.113.9", false));
        assertThat(proxies.client("10.1.2.3", false, null, "10.3.3.3, 10.2.2.2", null))
                .as("every hop a proxy: the farthest one")
                .isEqualTo(new TrustedProxies.Client("10.3.3.3", false));
    }

    @Test
    void theStandardForwardedHeaderWinsAndTakesPortsAndIpv6() {
        assertThat(proxies.client(
                        "2001:db8::1",
                        true,
                        "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=192.0.2.7",
                        "198.51.100.66",
                        "http"))
                .isEqualTo(new TrustedProxies.Client("2001:db8:cafe:0:0:0:0:17", true));
        assertThat(proxies.client("192.0.2.7", false, "for=203.0.113.9:51234", null, null))
                .isEqualTo(new TrustedProxies.Client("203.0.113.9", false));
    }

    @Test
    void garbageInTheHeadersEndsTheWalkAtTheLastGoodHop() {
        assertThat(proxies.client("10.1.2.3", false, null, "evil.example, unknown", null))
                .isEqualTo(new TrustedProxies.Client("10.1.2.3", false));
        assertThat(proxies.client("10.1.2.3", false, "for=_hidden, for=\"\"", null, null))
                .isEqualTo(new TrustedProxies.Client("10.1.2.3", false));
        assertThat(proxies.client("10.1.2.3", false, null, "999.1.1.1", null).address())
                .isEqualTo("10.1.2.3");
    }

    @Test
    void badNetworksAreRefused() {
        for (String bad : List.of("10.0.0.0/33", "proxy.internal", "10.0.0/8", "::1/129", "10.0.0.0/x"))
            assertThatThrownBy(() -> TrustedProxies.of(List.of(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
    }
}
