package dev.bsg.gateway.web;

import dev.bsg.gateway.admin.ProductivityApi;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.protocol.errors.ApiError;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code GET /admin/productivity}: Claude Code's telemetry per person or day, beside what the gateway metered. */
public final class ProductivityPage {

    private final ConsoleSessions sessions;
    private final Templates templates;
    private final ProductivityApi productivity;

    ProductivityPage(ConsoleSessions sessions, Templates templates, ProductivityApi productivity) {
        this.sessions = sessions;
        this.templates = templates;
        this.productivity = productivity;
    }

    /** The filter as the page shows it, and the table it gives. */
    public record Form(String from, String to, boolean byDay) {}

    public record Table(List<String> headers, List<List<String>> rows) {}

    public void serve(Exchange exchange) {
        View view = sessions.admin(exchange, "Productivity", "admin-productivity");
        if (view == null) return;
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Form form = new Form(
                text(exchange.query("from"), today.minusDays(29).toString()),
                text(exchange.query("to"), today.toString()),
                "day".equals(exchange.query("by")));
        List<Map<String, Object>> rows = List.of();
        try {
            LocalDate from = UsageReports.day(form.from(), "from");
            LocalDate to = UsageReports.day(form.to(), "to");
            if (from.isAfter(to)) throw new HttpError(ApiError.invalidRequest("From is after Through"));
            rows = productivity.report(from, to, form.byDay());
        } catch (HttpError e) {
            view = view.withError(e.getMessage());
        }
        List<String> headers = new ArrayList<>(List.of(form.byDay() ? "day" : "user"));
        headers.addAll(ProductivityApi.MEASURES);
        List<List<String>> cells = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            List<String> line = new ArrayList<>();
            for (String header : headers) line.add(String.valueOf(row.get(header)));
            cells.add(line);
        }
        templates.send(
                exchange,
                200,
                "admin/productivity.jte",
                view,
                "form",
                form,
                "table",
                new Table(headers.stream().map(h -> h.replace('_', ' ')).toList(), cells));
    }

    private static String text(String value, String fallback) {
        String trimmed = AdminPages.trimmed(value);
        return trimmed == null ? fallback : trimmed;
    }
}
