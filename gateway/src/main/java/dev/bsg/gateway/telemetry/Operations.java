package dev.bsg.gateway.telemetry;

import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.http.Interceptor;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** {@code /healthz}, {@code /readyz} and {@code /metrics}. */
public final class Operations {
    /** One thing readiness depends on: its name in /readyz, and why it fails (null while it is fine). */
    public record Check(String name, Supplier<String> problem) {}

    private final GatewayMetrics metrics;
    private final List<Check> checks;

    public Operations(GatewayMetrics metrics, List<Check> checks) {
        this.metrics = metrics;
        this.checks = List.copyOf(checks);
    }

    public void health(Exchange exchange) {
        exchange.sendJson(200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII));
    }

    /** Ready when every check passes; each reported by name, with why it fails. */
    public void ready(Exchange exchange) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (Check check : checks) problems.put(check.name(), check.problem().get());
        boolean ready = problems.values().stream().allMatch(Objects::isNull);
        exchange.sendJson(ready ? 200 : 503, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("status", ready ? "ready" : "not ready");
            g.writeObjectFieldStart("checks");
            for (Map.Entry<String, String> check : problems.entrySet()) {
                g.writeObjectFieldStart(check.getKey());
                g.writeStringField("status", check.getValue() == null ? "ok" : "failing");
                if (check.getValue() != null) g.writeStringField("detail", check.getValue());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }));
    }

    public void metrics(Exchange exchange) {
        exchange.send(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    /** Records every routed request's outcome. */
    public Interceptor recorder() {
        return (exchange, chain) -> {
            try {
                chain.proceed(exchange);
            } catch (HttpError e) {
                if (exchange.isCommitted()) throw e;
                exchange.sendError(e.error());
            } finally {
                exchange.whenDone(() -> metrics.request(
                        exchange.door().label(),
                        exchange.model(),
                        exchange.status(),
                        System.nanoTime() - exchange.startNanos(),
                        exchange.timeToFirstByteNanos()));
            }
        };
    }

    /**
     * Lets a request through on the management port, or on the public port with {@code Authorization: Bearer}
     * the management token; anyone else finds nothing there (404), as on a path that doesn't exist.
     */
    public static Interceptor operatorsOnly(@Nullable String token) {
        String expected = token == null ? null : "Bearer " + token;
        return (exchange, chain) -> {
            String given = exchange.header("authorization");
            if (exchange.onManagementPort() || (expected != null && given != null && Secrets.equal(given, expected)))
                chain.proceed(exchange);
            else
                throw new HttpError(ApiError.notFound(
                        "not found here: operators read it on the management port (server.management_port)"));
        };
    }
}
