package dev.bsg.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.bsg.gateway.core.Usage;
import dev.bsg.gateway.metering.UsageRecord;
import dev.bsg.gateway.metering.UsageTags;
import dev.bsg.gateway.metering.UsageWriter;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import dev.bsg.gateway.upstream.UpstreamSigner;
import dev.bsg.protocol.pricing.Price.Tokens;
import dev.bsg.protocol.pricing.PriceList;
import dev.bsg.protocol.translate.Json;
import dev.bsg.protocol.translate.MessagesRequest;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;

/**
 * What the parts of a gateway request cost on their own, in CPU microseconds: SigV4 signing, the
 * Anthropic → Bedrock translation, and an HTTP client's round trip to a running simulator (JDK or
 * Jetty client, 32 virtual threads). Usage: {@code ComponentCosts signer|translate|jdk|jetty [invoke|stream] [port]}.
 */
public final class ComponentCosts {
    private static final byte[] BEDROCK_BODY =
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\"Benchmark me\"}]}"
                    .getBytes(StandardCharsets.UTF_8);

    private ComponentCosts() {}

    public static void main(String[] args) throws Exception {
        String part = args[0];
        boolean stream = args.length > 1 && args[1].equals("stream");
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 19090;
        URI uri = URI.create("http://127.0.0.1:" + port + "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/"
                + (stream ? "invoke-with-response-stream" : "invoke"));
        switch (part) {
            case "signer" -> {
                UpstreamSigner signer = UpstreamSigner.from(SettingsLoader.load(
                                null,
                                Map.of(
                                        "BSG_UPSTREAM__CREDENTIALS", "static",
                                        "BSG_UPSTREAM__ACCESS_KEY_ID", "AKIDEXAMPLE",
                                        "BSG_UPSTREAM__SECRET_ACCESS_KEY", "example-secret",
                                        "BSG_UPSTREAM__REGIONS", "us-east-1"))
                        .upstream());
                Map<String, String> headers = Map.of("Content-Type", "application/json", "Accept", "application/json");
                report("SigV4 signing", loop(200_000, () -> signer.sign(uri, "us-east-1", headers, BEDROCK_BODY)));
            }
            case "signer-classic" -> {
                // The SDK's older Aws4Signer on the same request, to compare with the AwsV4HttpSigner the gateway uses.
                @SuppressWarnings("deprecation")
                Aws4Signer classic = Aws4Signer.create();
                @SuppressWarnings("deprecation")
                Aws4SignerParams params = Aws4SignerParams.builder()
                        .awsCredentials(AwsBasicCredentials.create("AKIDEXAMPLE", "example-secret"))
                        .signingName("bedrock")
                        .signingRegion(Region.US_EAST_1)
                        .build();
                report(
                        "SigV4 signing, classic Aws4Signer",
                        loop(
                                200_000,
                                () -> classic.sign(
                                        SdkHttpFullRequest.builder()
                                                .method(SdkHttpMethod.POST)
                                                .uri(uri)
                                                .putHeader("Content-Type", "application/json")
                                                .putHeader("Accept", "application/json")
                                                .contentStreamProvider(
                                                        ContentStreamProvider.fromByteArrayUnsafe(BEDROCK_BODY))
                                                .build(),
                                        params)));
            }
            case "usage" -> {
                // Reading a 4 KB answer's usage: the whole tree (as metering did) against the top-level field alone.
                byte[] answer =
                        ("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\""
                                        + "The gateway relays every token. ".repeat(128)
                                        + "\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":25,"
                                        + "\"output_tokens\":900,\"cache_read_input_tokens\":0,\"cache_creation_input_tokens\":0}}")
                                .getBytes(StandardCharsets.UTF_8);
                report(
                        "usage from a 4 KB answer, whole tree",
                        loop(200_000, () -> Json.MAPPER.readTree(answer).path("usage")));
                report("usage from a 4 KB answer, top-level field", loop(200_000, () -> {
                    Usage usage = new Usage();
                    usage.messageBody(answer);
                    return usage.output();
                }));
            }
            case "translate" -> {
                byte[] body =
                        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\"Benchmark me\"}]}"
                                .getBytes(StandardCharsets.UTF_8);
                report(
                        "parse + translate",
                        loop(
                                500_000,
                                () -> MessagesRequest.parse(body, true).toBedrockBody("a,b", Set.of(), Set.of())));
            }
            case "jdk" -> {
                HttpClient client =
                        HttpClient.newBuilder().executor(Runnable::run).build();
                report(
                        "JDK HttpClient round trip (" + (stream ? "stream" : "invoke") + ")",
                        load(() -> client.send(
                                        HttpRequest.newBuilder(uri)
                                                .version(HttpClient.Version.HTTP_1_1)
                                                .POST(HttpRequest.BodyPublishers.ofByteArray(BEDROCK_BODY))
                                                .header("Authorization", "Bearer bedrock-api-key-bsg-simulator")
                                                .build(),
                                        HttpResponse.BodyHandlers.ofByteArray())
                                .statusCode()));
            }
            case "jetty" -> {
                org.eclipse.jetty.client.HttpClient client =
                        new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP(1));
                client.setMaxConnectionsPerDestination(256);
                client.getContentDecoderFactories().clear();
                client.start();
                report(
                        "Jetty HttpClient round trip (" + (stream ? "stream" : "invoke") + ")",
                        load(() -> client.newRequest(uri)
                                .method(HttpMethod.POST)
                                .body(new BytesRequestContent(BEDROCK_BODY))
                                .headers(h -> h.put("Authorization", "Bearer bedrock-api-key-bsg-simulator"))
                                .send()
                                .getStatus()));
            }
            case "pricing" -> {
                PriceList prices = PriceList.shipped();
                Tokens tokens = new Tokens(1234, 567, 8901, 23, 0);
                report(
                        "pricing a request",
                        loop(
                                1_000_000,
                                () -> prices.rated(
                                                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                                                "claude-sonnet-4-5-20250929",
                                                "us-east-1")
                                        .costNanos(tokens)));
            }
            case "usage-writer" ->
                report(
                        "queueing and writing a usage record (batched, with rollups; SQLite unless a JDBC URL is given)",
                        usageWriter(args.length > 1 ? args[1] : null));
            default ->
                throw new IllegalArgumentException(
                        "part: signer, translate, jdk, jetty, pricing or usage-writer [JDBC URL]");
        }
        System.exit(0);
    }

    interface Call {
        Object run() throws Exception;
    }

    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double loop(int count, Call call) throws Exception {
        for (int i = 0; i < count; i++) call.run();
        long start = cpuNanos();
        for (int i = 0; i < count; i++) call.run();
        return (cpuNanos() - start) / 1000.0 / count;
    }

    /** 32 virtual threads in a closed loop: 15 s warm-up, then CPU per request over 8 s. */
    private static double load(Call call) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < 32; i++) {
            Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try {
                        Object status = call.run();
                        if (!Integer.valueOf(200).equals(status)) throw new IllegalStateException("status " + status);
                        if (measuring.get()) done.incrementAndGet();
                    } catch (Exception e) {
                        stop.set(true);
                        throw new IllegalStateException(e);
                    }
                }
            });
        }
        Thread.sleep(15_000);
        measuring.set(true);
        long start = cpuNanos();
        Thread.sleep(8_000);
        long cpu = cpuNanos() - start;
        stop.set(true);
        System.out.printf("  %d requests/s%n", done.get() / 8);
        return cpu / 1000.0 / done.get();
    }

    /** Records submitted from 32 virtual threads, as requests do, and written by the writer; CPU per record for both. */
    private static double usageWriter(String url) throws Exception {
        Path dir = Files.createTempDirectory("bsg-bench-usage");
        String jdbc = url != null ? url : "jdbc:sqlite:" + dir.resolve("usage.db");
        try (Database db = new Database(new Settings.Database(jdbc, null, null, 4));
                UsageWriter writer = new UsageWriter(
                        db, new UsageTags(new Sql(db)), dir.resolve("journal"), 10_000, new GatewayMetrics())) {
            AtomicLong ids = new AtomicLong();
            Call submitBatch = () -> {
                Thread[] threads = new Thread[32];
                for (int t = 0; t < threads.length; t++) {
                    threads[t] = Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < 5_000; i++) {
                            writer.submit(new UsageRecord(
                                    System.currentTimeMillis(),
                                    "req_bench" + ids.incrementAndGet(),
                                    "usr_bench",
                                    "bench@example.com",
                                    "key_bench",
                                    "",
                                    null,
                                    null,
                                    "anthropic",
                                    "invoke",
                                    "claude-sonnet-4-5",
                                    "claude-sonnet-4-5-20250929",
                                    "us-east-1",
                                    20,
                                    30,
                                    0,
                                    0,
                                    0,
                                    480_000,
                                    "prices-bench",
                                    null,
                                    null,
                                    200,
                                    null,
                                    3,
                                    2L,
                                    false));
                        }
                    });
                }
                for (Thread thread : threads) thread.join();
                while (writer.pending() > 0) Thread.sleep(10);
                Thread.sleep(200); // the last batch's transaction
                return null;
            };
            submitBatch.run(); // warm-up: 160,000 records
            long start = cpuNanos();
            submitBatch.run();
            return (cpuNanos() - start) / 1000.0 / 160_000;
        }
    }

    private static void report(String what, double microseconds) {
        System.out.printf("%s: %.1f µs CPU each%n", what, microseconds);
    }
}
