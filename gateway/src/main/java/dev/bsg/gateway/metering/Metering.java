package dev.bsg.gateway.metering;

import dev.bsg.gateway.auth.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Interceptor;

/** The metering link of the chain: after each inference request, its usage record goes to the writer. */
public final class Metering {
    private final UsageWriter writer;

    public Metering(UsageWriter writer) {
        this.writer = writer;
    }

    public Interceptor interceptor() {
        return (exchange, chain) -> {
            try {
                chain.proceed(exchange);
            } finally {
                if (exchange.principal() != null && exchange.operation() != null && !exchange.operation().equals("count-tokens")) {
                    writer.submit(record(exchange));
                }
            }
        };
    }

    static UsageRecord record(Exchange exchange) {
        Principal principal = exchange.principal();
        Usage usage = exchange.usage();
        long ttfb = exchange.timeToFirstByteNanos();
        return new UsageRecord(System.currentTimeMillis(), exchange.requestId(),
                principal.userId(), principal.email(), principal.keyId(), String.join(",", principal.groups()),
                exchange.header("x-claude-code-session-id"), exchange.header("x-claude-code-agent-id"),
                exchange.door().name().toLowerCase(java.util.Locale.ROOT), exchange.operation(), exchange.modelAsked(), exchange.model(), usage.region(),
                usage.input(), usage.output(), usage.cacheRead(), usage.cacheWrite5m(), usage.cacheWrite1h(),
                exchange.status(), exchange.errorType(), (System.nanoTime() - exchange.startNanos()) / 1_000_000,
                ttfb < 0 ? null : ttfb / 1_000_000, usage.clientAborted());
    }
}
