package dev.bsg.gateway.web;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.gateway.store.AuditLog;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** The audit log's filter: who, which actions (by prefix), and whole days from and through (UTC), each optional. */
public record AuditForm(String actor, String action, String from, String to) {
    /** An event as the page lists it. */
    public record Row(
            String at, String actor, String action, String target, String outcome, String sourceIp, String detail) {}

    static AuditForm read(Exchange exchange) {
        return new AuditForm(
                AdminPages.trimmed(exchange.query("actor")),
                AdminPages.trimmed(exchange.query("action")),
                AdminPages.trimmed(exchange.query("from")),
                AdminPages.trimmed(exchange.query("to")));
    }

    List<AuditLog.Event> search(AuditLog audit, int limit) {
        long start = from == null
                ? 0
                : UsageReports.day(from, "from")
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .toEpochMilli();
        long end = to == null
                ? Long.MAX_VALUE
                : UsageReports.day(to, "to")
                        .plusDays(1)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .toEpochMilli();
        return audit.search(actor, action, start, end, limit);
    }

    static List<Row> rows(List<AuditLog.Event> events) {
        return events.stream()
                .map(e -> new Row(
                        Instant.ofEpochMilli(e.at()).toString(),
                        e.actor(),
                        e.action(),
                        e.target(),
                        e.outcome(),
                        e.sourceIp(),
                        e.detail()))
                .toList();
    }

    /** The same filter as a query string, for the CSV link. */
    public String queryString() {
        StringBuilder out = new StringBuilder();
        append(out, "actor", actor);
        append(out, "action", action);
        append(out, "from", from);
        append(out, "to", to);
        return out.toString();
    }

    private static void append(StringBuilder out, String name, String value) {
        if (value == null) return;
        if (!out.isEmpty()) out.append('&');
        out.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
