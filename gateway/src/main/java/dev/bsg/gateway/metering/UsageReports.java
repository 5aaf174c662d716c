package dev.bsg.gateway.metering;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.pricing.Price;
import dev.bsg.protocol.translate.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/admin/usage} and {@code GET /api/usage}: totals grouped by any of user, team, project,
 * model, region, day and door, filtered by the same, as JSON or CSV. Whole days are read from the daily
 * rollups (fast over months, and still there after raw records pass their retention); a range that
 * cuts through a day is read from the raw records.
 */
public final class UsageReports {
    public static final List<String> MEASURES = List.of(
            "requests",
            "errors",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_5m_tokens",
            "cache_write_1h_tokens",
            "cost_usd");
    private final Sql sql;
    private final Map<String, String> rawColumns = new LinkedHashMap<>();
    private final Map<String, String> dailyColumns = new LinkedHashMap<>();

    public UsageReports(Database database, Sql sql) {
        this.sql = sql;
        for (String plain : List.of("team", "project", "model", "region", "door")) {
            rawColumns.put(plain, "COALESCE(" + plain + ", '')");
            dailyColumns.put(plain, plain);
        }
        rawColumns.put("user", "COALESCE(user_email, '')");
        dailyColumns.put("user", "user_email");
        rawColumns.put(
                "day",
                database.isPostgres()
                        ? "to_char(to_timestamp(at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                        : "strftime('%Y-%m-%d', at / 1000, 'unixepoch')");
        dailyColumns.put("day", "day");
    }

    public void all(Exchange exchange) {
        report(exchange, null);
    }

    public void mine(Exchange exchange) {
        if (exchange.principal().userId() == null)
            throw new HttpError(
                    ApiError.permission("this endpoint is for users; a static admin key has no usage of its own"));
        report(exchange, exchange.principal().userId());
    }

    /**
     * What to report: totals for {@code userId} (null: everyone) from {@code from} to {@code to} (epoch ms), grouped by
     * {@code groups} and filtered by dimension = value.
     */
    public record Query(String userId, long from, long to, List<String> groups, Map<String, String> filters) {}

    /** The rows (dimension values, then {@link #MEASURES}; cost as USD) and whether they came from the rollups. */
    public record Report(List<String> groups, List<Map<String, Object>> rows, boolean daily) {
        public String csv() {
            return UsageReports.csv(groups, rows);
        }
    }

    /** The dimensions a report can group and filter by. */
    public List<String> dimensions() {
        return List.copyOf(rawColumns.keySet());
    }

    public Report query(Query q) {
        for (String group : q.groups()) dimension(group, "group_by");
        for (String filter : q.filters().keySet()) dimension(filter, "filter");
        long from = q.from();
        long to = q.to();
        List<String> groups = q.groups();
        boolean daily = from % 86_400_000 == 0 && (to == Long.MAX_VALUE || to % 86_400_000 == 0);
        Map<String, String> columns = daily ? dailyColumns : rawColumns;
        StringBuilder query = new StringBuilder("SELECT ");
        for (String group : groups)
            query.append(columns.get(group)).append(" AS g_").append(group).append(", ");
        if (daily) {
            query.append(
                            "SUM(requests), SUM(errors), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_5m_tokens), ")
                    .append("SUM(cache_write_1h_tokens), SUM(cost_nanos) FROM usage_daily WHERE day >= ? AND day < ?");
        } else {
            query.append(
                            "COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), ")
                    .append(
                            "SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), SUM(cost_nanos) FROM usage_records WHERE at >= ? AND at < ?");
        }
        List<Object> params = new ArrayList<>();
        params.add(daily ? UsageWriter.day(from) : (Object) from);
        params.add(daily ? (to == Long.MAX_VALUE ? "9999-12-31" : UsageWriter.day(to)) : (Object) to);
        if (q.userId() != null) {
            query.append(" AND user_id = ?");
            params.add(q.userId());
        }
        for (Map.Entry<String, String> filter : q.filters().entrySet()) {
            query.append(" AND ").append(columns.get(filter.getKey())).append(" = ?");
            params.add(filter.getValue());
        }
        if (!groups.isEmpty()) {
            String keys = String.join(", ", groups.stream().map(g -> "g_" + g).toList());
            query.append(" GROUP BY ").append(keys).append(" ORDER BY ").append(keys);
        }
        List<Map<String, Object>> rows = new ArrayList<>(sql.list(
                query.toString(),
                row -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    int column = 1;
                    for (String group : groups) {
                        String value = row.getString(column++);
                        out.put(group, value == null || value.isEmpty() ? null : value);
                    }
                    for (int i = 0; i < MEASURES.size() - 1; i++) out.put(MEASURES.get(i), row.getLong(column++));
                    out.put("cost_usd", Price.usd(row.getLong(column)));
                    return out;
                },
                params.toArray()));
        return new Report(List.copyOf(groups), rows, daily);
    }

    /** The last day (UTC) each of these people used the gateway, from the daily rollups. */
    public Map<String, String> lastSeen(Collection<String> userIds) {
        Map<String, String> last = new HashMap<>();
        if (userIds.isEmpty()) return last;
        String marks = String.join(", ", Collections.nCopies(userIds.size(), "?"));
        sql.list(
                "SELECT user_id, MAX(day) FROM usage_daily WHERE user_id IN (" + marks + ") GROUP BY user_id",
                row -> last.put(row.getString(1), row.getString(2)),
                userIds.toArray());
        return last;
    }

    private void report(Exchange exchange, String userId) {
        long from = time(exchange.query("from"), "from", 0);
        long to = time(exchange.query("to"), "to", Long.MAX_VALUE);
        List<String> groups = new ArrayList<>();
        String groupBy = exchange.query("group_by");
        if (groupBy != null && !groupBy.isBlank()) {
            for (String name : groupBy.split(",")) groups.add(dimension(name.strip(), "group_by"));
        }
        Map<String, String> filters = new LinkedHashMap<>();
        for (String filter : rawColumns.keySet()) {
            String value = exchange.query(filter);
            if (value != null) filters.put(filter, value);
        }
        Report report = query(new Query(userId, from, to, groups, filters));
        if ("csv".equals(exchange.query("format"))
                || String.valueOf(exchange.header("accept")).startsWith("text/csv")) {
            exchange.send(200, "text/csv; charset=utf-8", report.csv().getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.sendJson(
                200, Json.bytes(Map.of("data", report.rows(), "source", report.daily() ? "daily_rollups" : "records")));
    }

    private static String csv(List<String> groups, List<Map<String, Object>> rows) {
        StringBuilder out = new StringBuilder();
        List<String> header = new ArrayList<>(groups);
        header.addAll(MEASURES);
        out.append(String.join(",", header)).append('\n');
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String column : header) cells.add(cell(row.get(column)));
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /** A CSV cell, quoted where a spreadsheet would split it or run it as a formula. */
    public static String cell(Object value) {
        if (value == null) return "";
        String text = value.toString();
        // Quote what a spreadsheet would split or run as a formula.
        if (text.matches(".*[\",\\n].*") || text.matches("^[=+\\-@].*"))
            return "\"" + text.replace("\"", "\"\"") + "\"";
        return text;
    }

    private String dimension(String name, String parameter) {
        if (!rawColumns.containsKey(name)) {
            throw new HttpError(ApiError.invalidRequest(
                    parameter + ": " + name + " is not one of " + String.join(", ", rawColumns.keySet())));
        }
        return name;
    }

    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** A day ({@code 2026-11-01}) or an ISO-8601 time as epoch ms; a bad one is a 400 naming {@code name}. */
    /** A whole day, 1970 to 9998, as the reports and the console's filters take it. */
    public static LocalDate day(String text, String name) {
        try {
            LocalDate day = LocalDate.parse(text);
            if (day.getYear() >= 1970 && day.getYear() <= 9998) return day;
        } catch (DateTimeParseException e) {
            // said below
        }
        throw new HttpError(ApiError.invalidRequest(name + ": a day such as 2026-11-01, from 1970 to 9998"));
    }

    public static long time(String text, String name, long fallback) {
        if (text == null || text.isBlank()) return fallback;
        try {
            Instant at = text.matches("^\\d{4}-\\d{2}-\\d{2}$")
                    ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(text);
            if (at.isBefore(Instant.EPOCH) || at.isAfter(LATEST))
                throw new DateTimeParseException("out of range", text, 0);
            return at.toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new HttpError(ApiError.invalidRequest(
                    name + ": use a date such as 2026-11-01 or an ISO-8601 time such as 2026-11-01T00:00:00Z"));
        }
    }
}
