package dev.bsg.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bsg.gateway.Gateway;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.simulator.ReceivedRequest;
import dev.bsg.simulator.Reply;
import dev.bsg.simulator.SelfSignedCertificate;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upstream as it is in production: HTTPS with HTTP/2 chosen by ALPN, the certificate checked against
 * the trusted CAs ({@code upstream.ca_bundle}, else {@code AWS_CA_BUNDLE}, else the JDK's).
 */
class HttpsUpstreamTest {
    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClassOverHttps(Map.of());

    @Test
    void bothDoorsReachAnHttpsUpstreamOverHttp2AndManyStreamsShareIt() {
        HttpResponse<String> plain =
                gw.post("/v1/messages", MESSAGE.formatted(false), "anthropic-version", "2023-06-01");
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        assertThat(gw.simulator.lastRequest().protocol()).isEqualTo("HTTP/2.0");
        assertThat(gw.simulator.lastRequest().signatureValid()).isTrue();

        HttpResponse<String> bedrock = gw.post(
                "/bedrock/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke",
                "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(bedrock.statusCode()).as(bedrock.body()).isEqualTo(200);
        assertThat(gw.simulator.lastRequest().protocol()).isEqualTo("HTTP/2.0");

        List<CompletableFuture<HttpResponse<String>>> streams;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            streams = IntStream.range(0, 48)
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> gw.post("/v1/messages", MESSAGE.formatted(true), "anthropic-version", "2023-06-01"),
                            threads))
                    .toList();
        }
        for (CompletableFuture<HttpResponse<String>> stream : streams) {
            HttpResponse<String> response = stream.join();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("event: message_stop");
        }
        assertThat(gw.simulator.received())
                .extracting(ReceivedRequest::protocol)
                .containsOnly("HTTP/2.0");
    }

    @Test
    void streamsBeyondTheUpstreamsHttp2LimitGoOverAnotherHttp2Connection() throws Exception {
        try (TestDatabase database = TestDatabase.sqlite();
                TestGateway limited = TestGateway.startOverHttps(database.url(), Map.of(), 4);
                var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // One request first, so the burst finds an open HTTP/2 connection whose limit the client knows.
            assertThat(limited.post("/v1/messages", MESSAGE.formatted(false), "anthropic-version", "2023-06-01")
                            .statusCode())
                    .isEqualTo(200);
            // Streams that last a while, so that 32 of them are open at once.
            limited.simulator.defaultReply(
                    Reply.text("slow and steady").withDeltas(5).withPacing(Duration.ZERO, Duration.ofMillis(60)));
            List<CompletableFuture<HttpResponse<String>>> streams = IntStream.range(0, 32)
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> limited.post(
                                    "/v1/messages", MESSAGE.formatted(true), "anthropic-version", "2023-06-01"),
                            threads))
                    .toList();
            for (CompletableFuture<HttpResponse<String>> stream : streams) {
                HttpResponse<String> response = stream.join();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).contains("event: message_stop");
            }
            // None of them needed a connection of its own over HTTP/1.1: more HTTP/2 connections carried them.
            assertThat(limited.simulator.received())
                    .hasSize(33)
                    .extracting(ReceivedRequest::protocol)
                    .containsOnly("HTTP/2.0");
            assertThat(limited.management("/metrics").body())
                    .containsPattern("bsg_upstream_http2_overflow_total [1-9]");
        }
    }

    @Test
    void httpVersionOneOneIsAChoiceAndAnUntrustedCertificateIsAClearError() throws Exception {
        try (TestDatabase database = TestDatabase.sqlite()) {
            try (TestGateway one =
                    TestGateway.startOverHttps(database.url(), Map.of("BSG_UPSTREAM__HTTP_VERSION", "1.1"))) {
                assertThat(one.post("/v1/messages", MESSAGE.formatted(false), "anthropic-version", "2023-06-01")
                                .statusCode())
                        .isEqualTo(200);
                assertThat(one.simulator.lastRequest().protocol()).isEqualTo("HTTP/1.1");
            }
            // Trusting some other CA: the simulator's certificate is refused, and the client hears why in its own
            // envelope.
            String stranger = SelfSignedCertificate.create().pem().toString();
            try (TestGateway untrusting = TestGateway.startOverHttps(
                    database.url(),
                    Map.of(
                            "BSG_UPSTREAM__CA_BUNDLE",
                            stranger,
                            "BSG_UPSTREAM__RETRIES",
                            "0",
                            "BSG_UPSTREAM__REGIONS",
                            "us-east-1"))) {
                HttpResponse<String> refused =
                        untrusting.post("/v1/messages", MESSAGE.formatted(false), "anthropic-version", "2023-06-01");
                assertThat(refused.statusCode()).isBetween(500, 599).isNotEqualTo(500);
                assertThat(refused.body())
                        .startsWith("{\"type\":\"error\"")
                        .contains("Bedrock could not be reached")
                        .containsIgnoringCase("certificat");
                assertThat(untrusting.simulator.received()).isEmpty();
            }
        }
    }

    @Test
    void aCaBundleThatIsNotPemOrAnUnknownHttpVersionStopsTheStartNamingTheKey() throws Exception {
        Path notPem = Files.writeString(Files.createTempFile("bsg-ca", ".pem"), "not a certificate");
        Map<String, String> env = new HashMap<>(Map.of(
                "BSG_DATABASE__URL",
                "jdbc:sqlite::memory:",
                "BSG_SERVER__PORT",
                "0",
                "BSG_UPSTREAM__CA_BUNDLE",
                notPem.toString()));
        assertThatThrownBy(() -> new Gateway(SettingsLoader.load(null, env)).close())
                .hasMessageContaining("upstream.ca_bundle")
                .hasMessageContaining("PEM");
        env.put("BSG_UPSTREAM__CA_BUNDLE", "/nonexistent/ca.pem");
        assertThatThrownBy(() -> SettingsLoader.load(null, env))
                .hasMessageContaining("upstream.ca_bundle")
                .hasMessageContaining("readable PEM");
        env.remove("BSG_UPSTREAM__CA_BUNDLE");
        env.put("BSG_UPSTREAM__HTTP_VERSION", "3");
        assertThatThrownBy(() -> SettingsLoader.load(null, env))
                .hasMessageContaining("upstream.http_version")
                .hasMessageContaining("use 2 (the default) or 1.1");
    }
}
