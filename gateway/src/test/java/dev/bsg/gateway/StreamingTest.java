package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.bsg.simulator.Fault;
import dev.bsg.simulator.Reply;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SSE relay behaviour: event by event, pings in silence, upstream failures as error events, graceful drain. */
class StreamingTest {
    static final String STREAM =
            "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(
            Map.of("BSG_SERVER__PING_INTERVAL_MS", "200", "BSG_UPSTREAM__READ_TIMEOUT_MS", "1500"));

    static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A line of the stream and when it arrived. */
    record Line(long atMillis, String text) {}

    static List<Line> stream(TestGateway target, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(target.url() + "/v1/messages"))
                .header("anthropic-version", "2023-06-01")
                .header("x-api-key", target.apiKey)
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30))
                .build();
        long start = System.currentTimeMillis();
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<Line> lines = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) lines.add(new Line(System.currentTimeMillis() - start, line));
        }
        return lines;
    }

    static List<String> events(List<Line> lines) {
        return lines.stream()
                .map(Line::text)
                .filter(t -> t.startsWith("event: "))
                .map(t -> t.substring(7))
                .toList();
    }

    @Test
    void anOpenStreamHoldsNoThread() throws Exception {
        gw.simulator.defaultReply(
                Reply.text("a b c d").withDeltas(4).withPacing(Duration.ZERO, Duration.ofMillis(300)));
        List<CompletableFuture<HttpResponse<InputStream>>> open = new ArrayList<>();
        for (int i = 0; i < 20; i++)
            open.add(HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(gw.url() + "/v1/messages"))
                            .header("anthropic-version", "2023-06-01")
                            .header("x-api-key", gw.apiKey)
                            .POST(HttpRequest.BodyPublishers.ofString(STREAM))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream()));
        List<HttpResponse<InputStream>> streams =
                open.stream().map(CompletableFuture::join).toList();
        // Every stream has its headers and is still going: a thread dump (virtual threads included) shows
        // none of them waiting in the relay, as each did when a thread was parked per open stream.
        Path dump = Files.createTempFile("threads", ".txt");
        Files.delete(dump);
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        String threads = Files.readString(dump);
        Files.delete(dump);
        assertThat(threads).contains("BedrockSimulator").doesNotContain("StreamRelay", "AnthropicRelay");
        for (HttpResponse<InputStream> stream : streams) {
            assertThat(stream.statusCode()).isEqualTo(200);
            try (InputStream body = stream.body()) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8))
                        .contains("event: message_stop");
            }
        }
    }

    @Test
    void eventsReachTheClientAsTheyArriveNotAtTheEnd() throws Exception {
        gw.simulator.defaultReply(
                Reply.text("a b c d e").withDeltas(5).withPacing(Duration.ZERO, Duration.ofMillis(250)));
        List<Line> lines = stream(gw, STREAM);
        long firstDelta = lines.stream()
                .filter(l -> l.text().contains("text_delta"))
                .findFirst()
                .orElseThrow()
                .atMillis();
        long last = lines.get(lines.size() - 1).atMillis();
        assertThat(last - firstDelta)
                .as("the first delta came long before the end")
                .isGreaterThan(1000);
        assertThat(events(lines).stream().filter(e -> !e.equals("ping")).toList())
                .startsWith("message_start", "content_block_start")
                .endsWith("message_delta", "message_stop");
    }

    @Test
    void upstreamSilenceIsFilledWithPings() throws Exception {
        gw.simulator.defaultReply(Reply.text("slow").withSilence(Duration.ofSeconds(1)));
        gw.simulator.failNext(Fault.SILENCE);
        List<String> events = events(stream(gw, STREAM));
        assertThat(events.stream().filter("ping"::equals).count()).isGreaterThanOrEqualTo(3);
        assertThat(events).endsWith("message_stop");
    }

    @Test
    void anUpstreamSilentPastTheReadTimeoutIsGivenUpOn() throws Exception {
        gw.simulator.defaultReply(Reply.text("never finishes").withSilence(Duration.ofSeconds(6)));
        gw.simulator.failNext(Fault.SILENCE);
        List<Line> lines = stream(gw, STREAM);
        assertThat(events(lines)).contains("ping").endsWith("error");
        assertThat(lines.get(lines.size() - 2).text()).contains("upstream sent nothing");
        assertThat(lines.get(lines.size() - 1).atMillis()).isLessThan(4000);
    }

    @Test
    void aClientThatHangsUpStopsTheUpstreamStream() throws Exception {
        gw.simulator.defaultReply(Reply.text("a long answer that the client will not wait for")
                .withDeltas(40)
                .withPacing(Duration.ZERO, Duration.ofMillis(50)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(gw.url() + "/v1/messages"))
                .header("anthropic-version", "2023-06-01")
                .header("x-api-key", gw.apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(STREAM))
                .build();
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertThat(body.read(new byte[64])).isPositive();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.simulator.abandonedStreams() > 0);
        assertThat(gw.simulator.abandonedStreams())
                .as("the gateway hung up on Bedrock too")
                .isEqualTo(1);
    }

    @Test
    void anUpstreamExceptionFrameBecomesAnSseErrorEvent() throws Exception {
        gw.simulator.failNext(Fault.STREAM_EXCEPTION);
        List<Line> lines = stream(gw, STREAM);
        assertThat(events(lines)).endsWith("error");
        assertThat(lines.stream()
                        .map(Line::text)
                        .filter(t -> t.startsWith("data: {\"type\":\"error\""))
                        .findFirst())
                .hasValueSatisfying(t ->
                        assertThat(t).contains("\"type\":\"api_error\"").contains("The model stream was interrupted."));
    }

    @Test
    void aCutUpstreamConnectionBecomesAnSseErrorEvent() throws Exception {
        gw.simulator.failNext(Fault.RESET_MID_STREAM);
        List<Line> lines = stream(gw, STREAM);
        assertThat(events(lines)).contains("message_start").endsWith("error");
        assertThat(lines.get(lines.size() - 2).text()).contains("upstream");
    }

    @Test
    void throttlingBeforeTheFirstByteIsRetriedInvisibly() throws Exception {
        gw.simulator.failNext(Fault.THROTTLE, Fault.SERVER_ERROR);
        assertThat(events(stream(gw, STREAM))).endsWith("message_stop");
        assertThat(gw.simulator.received()).hasSize(3);
    }

    @Test
    void shutdownLetsInFlightStreamsFinish() throws Exception {
        TestDatabase own = TestDatabase.sqlite();
        TestGateway draining = TestGateway.start(own.url(), Map.of());
        try {
            draining.simulator.defaultReply(
                    Reply.text("0123456789").withDeltas(10).withPacing(Duration.ZERO, Duration.ofMillis(150)));
            CompletableFuture<List<Line>> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return stream(draining, STREAM);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(400);
            draining.gateway.close();
            assertThat(events(inFlight.get())).endsWith("message_stop");
        } finally {
            draining.simulator.close();
            own.close();
        }
    }
}
