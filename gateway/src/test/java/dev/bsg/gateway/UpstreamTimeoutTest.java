package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.simulator.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** upstream.read_timeout_ms bounds the wait for Bedrock's response headers, and nothing shorter. */
class UpstreamTimeoutTest {
    static final String ASK =
            "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of(
            "BSG_UPSTREAM__READ_TIMEOUT_MS", "1000",
            "BSG_UPSTREAM__RETRIES", "0",
            "BSG_UPSTREAM__REGIONS", "us-east-1"));

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void bedrockSilentPastTheReadTimeoutGetsA503NamingTheSetting() throws Exception {
        gw.simulator.defaultReply(Reply.text("too late").withPacing(Duration.ofSeconds(8), Duration.ZERO));
        long start = System.nanoTime();
        HttpResponse<String> response = ask();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body())
                .contains("\"type\":\"error\"")
                .contains("no response within upstream.read_timeout_ms");
        assertThat(tookMillis).isBetween(900L, 5_000L);
    }

    @Test
    void aSlowButTimelyAnswerIsNotCutShort() throws Exception {
        gw.simulator.defaultReply(Reply.text("in time").withPacing(Duration.ofMillis(600), Duration.ZERO));
        HttpResponse<String> response = ask();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("in time");
    }

    private static HttpResponse<String> ask() throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(gw.url() + "/v1/messages"))
                        .header("anthropic-version", "2023-06-01")
                        .header("x-api-key", gw.apiKey)
                        .POST(HttpRequest.BodyPublishers.ofString(ASK))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
