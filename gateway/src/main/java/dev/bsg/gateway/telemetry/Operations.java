package dev.bsg.gateway.telemetry;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.upstream.UpstreamSigner;
import dev.bsg.protocol.translate.Json;
import java.nio.charset.StandardCharsets;

/** {@code /healthz}, {@code /readyz} and {@code /metrics}. */
public final class Operations {
    private final Database database;
    private final UpstreamSigner signer;
    private final GatewayMetrics metrics;

    private final dev.bsg.gateway.store.SharedState shared;

    public Operations(Database database, UpstreamSigner signer, GatewayMetrics metrics, dev.bsg.gateway.store.SharedState shared) {
        this.shared = shared;
        this.database = database;
        this.signer = signer;
        this.metrics = metrics;
    }

    public void health(Exchange exchange) {
        exchange.sendJson(200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII));
    }

    /** Ready when the database answers and upstream credentials resolve; each check reported by name. */
    public void ready(Exchange exchange) {
        boolean databaseOk = database.isHealthy();
        String credentialProblem = signer.problem();
        String sharedProblem = shared.problem();
        boolean ready = databaseOk && credentialProblem == null && sharedProblem == null;
        exchange.sendJson(ready ? 200 : 503, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("status", ready ? "ready" : "not ready");
            g.writeObjectFieldStart("checks");
            g.writeObjectFieldStart("database");
            g.writeStringField("status", databaseOk ? "ok" : "failing");
            g.writeEndObject();
            g.writeObjectFieldStart("shared_state");
            g.writeStringField("status", sharedProblem == null ? "ok" : "failing");
            if (sharedProblem != null) g.writeStringField("detail", sharedProblem);
            g.writeEndObject();
            g.writeObjectFieldStart("upstream_credentials");
            g.writeStringField("status", credentialProblem == null ? "ok" : "failing");
            if (credentialProblem != null) g.writeStringField("detail", credentialProblem);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        }));
    }

    public void metrics(Exchange exchange) {
        exchange.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    /** Records every routed request's outcome. */
    public dev.bsg.gateway.http.Interceptor recorder() {
        return (exchange, chain) -> {
            try {
                chain.proceed(exchange);
            } catch (dev.bsg.gateway.http.HttpError e) {
                if (exchange.isCommitted()) throw e;
                exchange.sendError(e.error());
            } finally {
                metrics.request(exchange.door().label(), exchange.model(), exchange.status(),
                        System.nanoTime() - exchange.startNanos(), exchange.timeToFirstByteNanos());
            }
        };
    }
}
