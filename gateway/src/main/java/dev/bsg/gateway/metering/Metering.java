package dev.bsg.gateway.metering;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.core.Usage;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Interceptor;
import dev.bsg.protocol.errors.ApiError;
import java.util.regex.Pattern;

/** The metering link of the chain: after each inference request, it is priced and its usage record goes to the writer. */
public final class Metering {
    public static final String PROJECT_HEADER = "x-bsg-project";
    private static final Pattern PROJECT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$");
    private final UsageWriter writer;
    private final Pricing pricing;

    public Metering(UsageWriter writer, Pricing pricing) {
        this.writer = writer;
        this.pricing = pricing;
    }

    public Interceptor interceptor() {
        return (exchange, chain) -> {
            String project = exchange.header(PROJECT_HEADER);
            if (project != null && !PROJECT.matcher(project).matches()) {
                exchange.sendError(ApiError.invalidRequest(PROJECT_HEADER
                        + ": use 1 to 100 letters, digits and . _ : / - (starting with a letter or digit)"));
                return;
            }
            try {
                chain.proceed(exchange);
            } finally {
                exchange.whenDone(() -> {
                    if (exchange.principal() != null && exchange.operation() != null) {
                        pricing.price(exchange);
                        writer.submit(record(exchange, project));
                    }
                });
            }
        };
    }

    static UsageRecord record(Exchange exchange, String project) {
        Principal principal = exchange.principal();
        Usage usage = exchange.usage();
        long ttfb = exchange.timeToFirstByteNanos();
        return new UsageRecord(
                        System.currentTimeMillis(),
                        exchange.requestId(),
                        principal.userId(),
                        principal.email(),
                        principal.keyId(),
                        String.join(",", principal.groups()),
                        exchange.header("x-claude-code-session-id"),
                        exchange.header("x-claude-code-agent-id"),
                        exchange.door().label(),
                        exchange.operation(),
                        exchange.modelAsked(),
                        exchange.model(),
                        usage.region(),
                        usage.input(),
                        usage.output(),
                        usage.cacheRead(),
                        usage.cacheWrite5m(),
                        usage.cacheWrite1h(),
                        Math.max(0, usage.costNanos()),
                        usage.priceVersion(),
                        null,
                        project,
                        exchange.status(),
                        exchange.errorType(),
                        (System.nanoTime() - exchange.startNanos()) / 1_000_000,
                        ttfb < 0 ? null : ttfb / 1_000_000,
                        usage.clientAborted())
                .bounded();
    }
}
