package dev.bsg.gateway;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** An OTLP/HTTP collector for tests: records each export it gets and answers one status. */
public final class OtlpCollector implements AutoCloseable {
    public record Received(String path, String contentType, String tenant, byte[] body) {}

    public final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    private OtlpCollector(int status) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            received.add(new Received(
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("x-tenant"),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public static OtlpCollector start(int status) {
        try {
            return new OtlpCollector(status);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The resource attributes of every protobuf metrics and logs export received. */
    public List<Map<String, String>> resources() throws IOException {
        List<Map<String, String>> resources = new ArrayList<>();
        for (Received export : received) {
            if (export.path().equals("/v1/metrics")) {
                ExportMetricsServiceRequest.parseFrom(export.body())
                        .getResourceMetricsList()
                        .forEach(r -> resources.add(attributes(r.getResource())));
            } else if (export.path().equals("/v1/logs")) {
                ExportLogsServiceRequest.parseFrom(export.body())
                        .getResourceLogsList()
                        .forEach(r -> resources.add(attributes(r.getResource())));
            }
        }
        return resources;
    }

    public static Map<String, String> attributes(Resource resource) {
        return resource.getAttributesList().stream()
                .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
