package dev.bsg.gateway.web;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.protocol.errors.ApiError;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The usage explorer's question: group by some dimensions, over whole days {@code from} through {@code to} (UTC), with
 * optional exact filters. Whole days read the daily rollups, as the API does for the same question.
 */
public record UsageForm(List<String> groups, String from, String to, Map<String, String> filters) {
    private static final List<String> FILTERS = List.of("user", "team", "project", "model");

    static UsageForm defaults() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return new UsageForm(List.of("user"), today.withDayOfMonth(1).toString(), today.toString(), Map.of());
    }

    static UsageForm read(Exchange exchange, List<String> dimensions) {
        UsageForm defaults = defaults();
        List<String> groups = new ArrayList<>();
        for (String group : exchange.queryAll("group"))
            if (dimensions.contains(group) && !groups.contains(group)) groups.add(group);
        Map<String, String> filters = new LinkedHashMap<>();
        for (String filter : FILTERS) {
            String value = AdminPages.trimmed(exchange.query(filter));
            if (value != null) filters.put(filter, value);
        }
        boolean asked =
                exchange.query("from") != null || !exchange.queryAll("group").isEmpty();
        return new UsageForm(
                asked ? groups : defaults.groups(),
                orDefault(exchange.query("from"), defaults.from()),
                orDefault(exchange.query("to"), defaults.to()),
                filters);
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    public boolean grouped(String dimension) {
        return groups.contains(dimension);
    }

    public String filter(String name) {
        return filters.get(name);
    }

    LocalDate firstDay() {
        return UsageReports.day(from, "from");
    }

    LocalDate lastDay() {
        return UsageReports.day(to, "to");
    }

    long fromMillis() {
        return UsageReports.day(from, "from")
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
    }

    long toMillis() {
        return UsageReports.day(to, "to")
                .plusDays(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
    }

    UsageReports.Query query() {
        if (toMillis() <= fromMillis()) throw new HttpError(ApiError.invalidRequest("to: must not be before from"));
        return new UsageReports.Query(null, fromMillis(), toMillis(), groups, filters);
    }

    /** The same question as a query string, for the CSV link. */
    public String queryString() {
        StringBuilder out =
                new StringBuilder("from=").append(encode(from)).append("&to=").append(encode(to));
        for (String group : groups) out.append("&group=").append(encode(group));
        filters.forEach(
                (name, value) -> out.append('&').append(name).append('=').append(encode(value)));
        return out.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
