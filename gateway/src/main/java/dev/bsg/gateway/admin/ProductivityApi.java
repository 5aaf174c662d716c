package dev.bsg.gateway.admin;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.gateway.store.ProductivityStore;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.pricing.Price;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/admin/productivity}: Claude Code's own telemetry per person (or per day) next to what the gateway
 * metered for them: sessions, active hours, lines, commits, pull requests, edit decisions, Claude Code's cost
 * estimate, requests and cost.
 */
public final class ProductivityApi {
    /** The report's measures, in order, after {@code user} (or {@code day}). */
    public static final List<String> MEASURES = List.of(
            "sessions",
            "active_hours",
            "lines_added",
            "lines_removed",
            "commits",
            "pull_requests",
            "edits_accepted",
            "edits_rejected",
            "claude_code_cost_usd",
            "requests",
            "cost_usd");

    private final ProductivityStore store;
    private final Clock clock;

    public ProductivityApi(ProductivityStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The report's rows, for the API and the console. */
    public List<Map<String, Object>> report(LocalDate from, LocalDate to, boolean byDay) {
        return report(from, to, byDay, null);
    }

    /** The same for one person ({@code userId}), or everyone (null). */
    public List<Map<String, Object>> report(LocalDate from, LocalDate to, boolean byDay, String userId) {
        String start = from.toString();
        String end = to.plusDays(1).toString();
        Map<String, long[]> spend = store.spend(start, end, byDay);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ProductivityStore.Row row : store.totals(start, end, byDay, userId)) {
            long[] t = row.totals();
            Map<String, Object> out = new LinkedHashMap<>();
            if (byDay) out.put("day", row.group());
            else {
                out.put("user", row.group());
                out.put("user_id", row.userId());
            }
            out.put("sessions", t[0]);
            out.put(
                    "active_hours",
                    BigDecimal.valueOf(t[1])
                            .divide(BigDecimal.valueOf(3_600_000), 2, RoundingMode.HALF_UP)
                            .toPlainString());
            out.put("lines_added", t[2]);
            out.put("lines_removed", t[3]);
            out.put("commits", t[4]);
            out.put("pull_requests", t[5]);
            out.put("edits_accepted", t[6]);
            out.put("edits_rejected", t[7]);
            out.put("claude_code_cost_usd", BigDecimal.valueOf(t[8], 6).toPlainString());
            long[] metered = spend.getOrDefault(byDay ? row.group() : row.userId(), new long[2]);
            out.put("requests", metered[0]);
            out.put("cost_usd", Price.usd(metered[1]));
            rows.add(out);
        }
        return rows;
    }

    /** {@code GET /api/productivity}: the caller's own, the same fields. */
    public void mine(Exchange exchange) {
        if (exchange.principal().userId() == null)
            throw new HttpError(ApiError.permission(
                    "this endpoint is for users; a static admin key has no productivity of its own"));
        respond(exchange, exchange.principal().userId());
    }

    public void serve(Exchange exchange) {
        respond(exchange, null);
    }

    private void respond(Exchange exchange, String userId) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate to = day(exchange.query("to"), "to", today);
        LocalDate from = day(exchange.query("from"), "from", to.minusDays(29));
        String groupBy = exchange.query("group_by");
        if (groupBy != null && !groupBy.equals("user") && !groupBy.equals("day"))
            throw new HttpError(ApiError.invalidRequest("group_by: use user (the default) or day"));
        if (from.isAfter(to)) throw new HttpError(ApiError.invalidRequest("from is after to"));
        exchange.sendJson(
                200,
                Bodies.json(Map.of(
                        "from", from.toString(),
                        "to", to.toString(),
                        "data", report(from, to, "day".equals(groupBy), userId))));
    }

    private static LocalDate day(String text, String name, LocalDate fallback) {
        return text == null || text.isBlank() ? fallback : UsageReports.day(text, name);
    }
}
