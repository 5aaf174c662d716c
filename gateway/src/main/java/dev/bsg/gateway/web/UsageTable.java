package dev.bsg.gateway.web;

import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.protocol.translate.Json;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A usage report as a page shows it: the grouping values, then counts and cost formatted for reading. */
public record UsageTable(List<String> groups, List<Row> rows) {
    public record Row(
            List<String> keys,
            String requests,
            String errors,
            String input,
            String output,
            String cacheRead,
            String cacheWrite5m,
            String cacheWrite1h,
            String cost) {}

    static UsageTable of(UsageReports.Report report) {
        List<Row> rows = new ArrayList<>();
        for (Map<String, Object> row : report.rows()) {
            List<String> keys = new ArrayList<>();
            for (String group : report.groups())
                keys.add(row.get(group) == null ? "(none)" : row.get(group).toString());
            rows.add(new Row(
                    keys,
                    count(row, "requests"),
                    count(row, "errors"),
                    count(row, "input_tokens"),
                    count(row, "output_tokens"),
                    count(row, "cache_read_tokens"),
                    count(row, "cache_write_5m_tokens"),
                    count(row, "cache_write_1h_tokens"),
                    Money.usd(String.valueOf(row.get("cost_usd")))));
        }
        return new UsageTable(report.groups(), rows);
    }

    /**
     * A report grouped by day as the chart script reads it: every day from {@code first} through {@code last} (days
     * without usage as zero, so the axis spans the range), in epoch seconds, with dollars and tokens.
     */
    static String chart(UsageReports.Report byDay, LocalDate first, LocalDate last) {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        for (Map<String, Object> row : byDay.rows())
            if (row.get("day") != null) rows.put(row.get("day").toString(), row);
        List<Long> days = new ArrayList<>();
        List<Double> cost = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        int limit = 400; // a year and a bit of daily points; a longer range is drawn up to there
        for (LocalDate day = first; !day.isAfter(last) && days.size() < limit; day = day.plusDays(1)) {
            Map<String, Object> row = rows.getOrDefault(day.toString(), Map.of());
            days.add(day.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
            cost.add(row.isEmpty() ? 0.0 : Double.parseDouble(String.valueOf(row.get("cost_usd"))));
            tokens.add(number(row, "input_tokens")
                    + number(row, "output_tokens")
                    + number(row, "cache_read_tokens")
                    + number(row, "cache_write_5m_tokens")
                    + number(row, "cache_write_1h_tokens"));
        }
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("days", days);
        series.put("cost", cost);
        series.put("tokens", tokens);
        return new String(Json.bytes(series), StandardCharsets.UTF_8);
    }

    private static long number(Map<String, Object> row, String measure) {
        return row.get(measure) instanceof Number n ? n.longValue() : 0;
    }

    private static String count(Map<String, Object> row, String measure) {
        return String.format(Locale.ROOT, "%,d", number(row, measure));
    }
}
