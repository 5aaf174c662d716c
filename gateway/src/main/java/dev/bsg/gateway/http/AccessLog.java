package dev.bsg.gateway.http;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.core.Usage;
import dev.bsg.protocol.pricing.Price;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per request on the logger {@code bsg.access}, as key-value pairs a JSON encoder writes as fields: who,
 * which door and route, model, status, tokens, cost, region, latency, upstream latency (until Bedrock's headers, or its whole answer when not streamed),
 * time to first byte and bytes in and out. Never a query string, header or body: those can carry keys and prompts.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("bsg.access");

    private AccessLog() {}

    static void record(Exchange exchange, String route) {
        if (!LOG.isInfoEnabled()) return;
        Principal principal = exchange.principal();
        Usage usage = exchange.usage();
        LoggingEventBuilder line = LOG.atInfo()
                .addKeyValue("request_id", exchange.requestId())
                .addKeyValue("method", exchange.method())
                .addKeyValue("route", route)
                .addKeyValue("door", exchange.door().name().toLowerCase(Locale.ROOT))
                .addKeyValue("status", exchange.status())
                .addKeyValue("client_ip", exchange.clientIp())
                .addKeyValue("latency_ms", (System.nanoTime() - exchange.startNanos()) / 1_000_000)
                .addKeyValue("bytes_in", exchange.bytesRead())
                .addKeyValue("bytes_out", exchange.bytesWritten());
        if (principal != null) {
            line = line.addKeyValue("user", principal.email());
            if (principal.keyId() != null) line = line.addKeyValue("key_id", principal.keyId());
        }
        if (exchange.model() != null && !exchange.model().equals("-"))
            line = line.addKeyValue("model", exchange.model());
        if (usage.totalTokens() > 0) {
            line = line.addKeyValue("input_tokens", usage.input())
                    .addKeyValue("output_tokens", usage.output())
                    .addKeyValue("cache_read_tokens", usage.cacheRead())
                    .addKeyValue("cache_write_tokens", usage.cacheWrite5m() + usage.cacheWrite1h());
        }
        if (usage.costNanos() >= 0) line = line.addKeyValue("cost_usd", Price.usd(usage.costNanos()));
        if (usage.region() != null) line = line.addKeyValue("region", usage.region());
        if (exchange.upstreamNanos() > 0)
            line = line.addKeyValue("upstream_latency_ms", exchange.upstreamNanos() / 1_000_000);
        if (exchange.timeToFirstByteNanos() > 0)
            line = line.addKeyValue("ttfb_ms", exchange.timeToFirstByteNanos() / 1_000_000);
        line.log("{} {} {}", exchange.method(), route, exchange.status());
    }
}
