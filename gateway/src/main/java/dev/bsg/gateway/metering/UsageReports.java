package dev.bsg.gateway.metering;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/admin/usage} and {@code GET /api/usage}: totals grouped by user, model, day, door or region. */
public final class UsageReports {
    private final Sql sql;
    private final Map<String, String> dimensions = new LinkedHashMap<>();

    public UsageReports(Database database, Sql sql) {
        this.sql = sql;
        dimensions.put("user", "user_email");
        dimensions.put("model", "model");
        dimensions.put("door", "door");
        dimensions.put("region", "region");
        dimensions.put("day", database.isPostgres() ? "to_char(to_timestamp(at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                : "strftime('%Y-%m-%d', at / 1000, 'unixepoch')");
    }

    public void all(Exchange exchange) {
        report(exchange, null);
    }

    public void mine(Exchange exchange) {
        if (exchange.principal().userId() == null) throw new HttpError(ApiError.permission("this endpoint is for users; a static admin key has no usage of its own"));
        report(exchange, exchange.principal().userId());
    }

    private void report(Exchange exchange, String userId) {
        long from = time(exchange.query("from"), "from", 0);
        long to = time(exchange.query("to"), "to", Long.MAX_VALUE);
        List<String> groups = new ArrayList<>();
        String groupBy = exchange.query("group_by");
        if (groupBy != null && !groupBy.isBlank()) {
            for (String name : groupBy.split(",")) {
                if (!dimensions.containsKey(name.strip())) {
                    throw new HttpError(ApiError.invalidRequest("group_by: " + name.strip() + " is not one of " + String.join(", ", dimensions.keySet())));
                }
                groups.add(name.strip());
            }
        }
        StringBuilder select = new StringBuilder("SELECT ");
        for (String group : groups) select.append(dimensions.get(group)).append(" AS g_").append(group).append(", ");
        select.append("COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), ")
                .append("SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) FROM usage_records WHERE at >= ? AND at < ?");
        List<Object> params = new ArrayList<>(List.of(from, to));
        if (userId != null) {
            select.append(" AND user_id = ?");
            params.add(userId);
        }
        if (!groups.isEmpty()) {
            String keys = String.join(", ", groups.stream().map(g -> "g_" + g).toList());
            select.append(" GROUP BY ").append(keys).append(" ORDER BY ").append(keys);
        }
        List<Map<String, Object>> rows = sql.list(select.toString(), row -> {
            Map<String, Object> out = new LinkedHashMap<>();
            int column = 1;
            for (String group : groups) out.put(group, row.getString(column++));
            out.put("requests", row.getLong(column++));
            out.put("input_tokens", row.getLong(column++));
            out.put("output_tokens", row.getLong(column++));
            out.put("cache_read_tokens", row.getLong(column++));
            out.put("cache_write_5m_tokens", row.getLong(column++));
            out.put("cache_write_1h_tokens", row.getLong(column++));
            out.put("errors", row.getLong(column));
            return out;
        }, params.toArray());
        exchange.sendJson(200, Json.bytes(Map.of("data", rows)));
    }

    private static long time(String text, String name, long fallback) {
        if (text == null || text.isBlank()) return fallback;
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new HttpError(ApiError.invalidRequest(name + ": use an ISO-8601 time such as 2026-11-01T00:00:00Z"));
        }
    }
}
