package dev.bsg.bench;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The telemetry relay under load, beside inference: 100 clients export OTLP metrics at 10 MB/s in all while 8 others
 * send inference requests, through phases after a warm-up: inference alone (and the same straight to the simulator,
 * for the ratio), with the telemetry load and its destination up, with the destination down, after it is back, and
 * inference alone again. Prints a
 * Markdown table: inference latency per phase, exports answered, the gateway's resident memory, what was forwarded
 * and what was dropped.
 *
 * <p>Usage: TelemetryRelayLoad GATEWAY_URL SIMULATOR_URL API_KEY SINK_PORT GATEWAY_PID MANAGEMENT_URL SECONDS
 */
public final class TelemetryRelayLoad {
    private static final int TELEMETRY_CLIENTS = 100;
    private static final int EXPORT_BYTES = 100_000; // each client once a second: 10 MB/s
    private static final int INFERENCE_CLIENTS = 8;
    private static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String BEDROCK =
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}]}";

    private final HttpClient http = HttpClient.newBuilder().build();
    private final String gateway;
    private final String simulator;
    private final String key;
    private final int sinkPort;
    private final long gatewayPid;
    private final String management;
    private final AtomicLong sinkBytes = new AtomicLong();
    private HttpServer sink;

    private TelemetryRelayLoad(String[] args) {
        gateway = args[0];
        simulator = args[1];
        key = args[2];
        sinkPort = Integer.parseInt(args[3]);
        gatewayPid = Long.parseLong(args[4]);
        management = args[5];
    }

    public static void main(String[] args) throws Exception {
        new TelemetryRelayLoad(args).run(Duration.ofSeconds(Long.parseLong(args[6])));
        System.exit(0);
    }

    private record Phase(
            String name,
            List<Long> inferenceMicros,
            long exportsOk,
            long exportsFailed,
            long rssMaxKb,
            double forwarded,
            double dropped,
            long sinkBytes) {}

    private void run(Duration each) throws Exception {
        byte[] export = export();
        startSink();
        List<Phase> phases = new ArrayList<>();
        System.err.println("warm-up: inference and telemetry through the gateway, not reported");
        phase("warm-up", each, true, false, export);
        System.err.println("phase 1: inference alone, direct to the simulator");
        phases.add(phase("inference alone, direct to the simulator", each, false, true, null));
        System.err.println("phase 2: inference alone, through the gateway");
        phases.add(phase("inference alone, through the gateway", each, false, false, null));
        System.err.println("phase 3: + telemetry 10 MB/s, destination up");
        phases.add(phase("+ 100 clients' telemetry at 10 MB/s, destination up", each, true, false, export));
        sink.stop(0);
        System.err.println("phase 4: destination down");
        phases.add(phase("+ telemetry, destination down", each, true, false, export));
        startSink();
        System.err.println("phase 5: destination back");
        phases.add(phase("+ telemetry, destination back up", each, true, false, export));
        sink.stop(0);
        System.err.println("phase 6: inference alone again");
        phases.add(phase("inference alone again, through the gateway", each, false, false, null));

        System.out.printf(
                "| phase | inference p50 | p99 | max | requests | exports answered 200 | other | gateway RSS max |"
                        + " forwarded | dropped | at the destination |%n");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Phase phase : phases) {
            List<Long> sorted = new ArrayList<>(phase.inferenceMicros());
            Collections.sort(sorted);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.2f ms | %.2f ms | %.1f ms | %d | %d | %d | %d MB | %.0f | %.0f | %.1f MB |%n",
                    phase.name(),
                    percentile(sorted, 0.50) / 1000.0,
                    percentile(sorted, 0.99) / 1000.0,
                    sorted.isEmpty() ? 0 : sorted.getLast() / 1000.0,
                    sorted.size(),
                    phase.exportsOk(),
                    phase.exportsFailed(),
                    phase.rssMaxKb() / 1024,
                    phase.forwarded(),
                    phase.dropped(),
                    phase.sinkBytes() / 1e6);
        }
    }

    private Phase phase(String name, Duration length, boolean telemetry, boolean direct, byte[] export)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong rssMax = new AtomicLong();
        double forwardedBefore = counter("bsg_telemetry_forwarded_total");
        double droppedBefore = counter("bsg_telemetry_dropped_total");
        long sinkBefore = sinkBytes.get();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < INFERENCE_CLIENTS; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    int status = send(direct ? inferenceDirect() : inferenceThroughGateway());
                    if (status == 200) latencies.add((System.nanoTime() - start) / 1000);
                }
            }));
        }
        if (telemetry) {
            for (int i = 0; i < TELEMETRY_CLIENTS; i++) {
                long offset = i * 10L; // spread over the second
                threads.add(Thread.ofVirtual().start(() -> {
                    long next = System.nanoTime() + offset * 1_000_000;
                    while (running.get()) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) sleep(wait / 1_000_000);
                        next += 1_000_000_000L;
                        int status = send(HttpRequest.newBuilder(URI.create(gateway + "/v1/metrics"))
                                .header("Content-Type", "application/x-protobuf")
                                .header("x-api-key", key)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(export))
                                .build());
                        (status == 200 ? ok : failed).incrementAndGet();
                    }
                }));
            }
        }
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (running.get()) {
                rssMax.accumulateAndGet(rssKb(), Math::max);
                sleep(250);
            }
        });
        Thread.sleep(length.toMillis());
        running.set(false);
        for (Thread thread : threads) thread.join();
        sampler.join();
        return new Phase(
                name,
                latencies,
                ok.get(),
                failed.get(),
                rssMax.get(),
                counter("bsg_telemetry_forwarded_total") - forwardedBefore,
                counter("bsg_telemetry_dropped_total") - droppedBefore,
                sinkBytes.get() - sinkBefore);
    }

    private HttpRequest inferenceThroughGateway() {
        return HttpRequest.newBuilder(URI.create(gateway + "/v1/messages"))
                .header("x-api-key", key)
                .header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MESSAGE))
                .build();
    }

    private HttpRequest inferenceDirect() {
        return HttpRequest.newBuilder(
                        URI.create(simulator + "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke"))
                .header("Authorization", "Bearer bedrock-api-key-bsg-simulator")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BEDROCK))
                .build();
    }

    private int send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A metrics export of about EXPORT_BYTES: Claude Code's counters over many sessions. */
    private static byte[] export() {
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
        ExportMetricsServiceRequest.Builder request = ExportMetricsServiceRequest.newBuilder();
        for (int i = 0; request.build().getSerializedSize() < EXPORT_BYTES; i++) {
            scope.addMetrics(Metric.newBuilder()
                    .setName("claude_code.token.usage")
                    .setSum(Sum.newBuilder()
                            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                            .addDataPoints(NumberDataPoint.newBuilder()
                                    .addAttributes(attribute("session.id", "session-" + i))
                                    .addAttributes(attribute("user.email", "someone@example.com"))
                                    .addAttributes(attribute("type", "input"))
                                    .addAttributes(attribute("model", "claude-sonnet-4-5"))
                                    .setAsInt(1000 + i))));
            request = ExportMetricsServiceRequest.newBuilder()
                    .addResourceMetrics(ResourceMetrics.newBuilder()
                            .setResource(Resource.newBuilder().addAttributes(attribute("service.name", "claude-code")))
                            .addScopeMetrics(scope));
        }
        return request.build().toByteArray();
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    private void startSink() throws IOException {
        sink = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), sinkPort), 0);
        sink.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        sink.createContext("/", exchange -> {
            sinkBytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        sink.start();
    }

    private long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + gatewayPid + "/status")))
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        } catch (IOException e) {
            // the gateway is gone: nothing to sample
        }
        return 0;
    }

    /** A Prometheus counter summed over its labels. */
    private double counter(String name) {
        try {
            String body = http.send(
                            HttpRequest.newBuilder(URI.create(management + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return body.lines()
                    .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (IOException | InterruptedException e) {
            return Double.NaN;
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
