package dev.bsg.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.limits.Budgets;
import dev.bsg.gateway.limits.Period;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.SharedState;
import dev.bsg.gateway.store.SpendLimitStore;
import dev.bsg.gateway.store.SpendLimitStore.SpendLimit;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.protocol.errors.ApiError;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code /v1/organizations/spend_limits}, in the shape of Anthropic's admin API: list, create (or
 * replace for the same scope and period), get, delete, and what is in effect for each person.
 * Amounts are whole USD cents as strings; null means unlimited.
 */
public final class SpendLimitsApi {
    private final SpendLimitStore store;
    private final Budgets budgets;
    private final UserStore users;
    private final AuditLog audit;
    private final SharedState shared;

    public SpendLimitsApi(SpendLimitStore store, Budgets budgets, UserStore users, AuditLog audit, SharedState shared) {
        this.store = store;
        this.budgets = budgets;
        this.users = users;
        this.audit = audit;
        this.shared = shared;
        shared.onEvent(event -> {
            if (event.equals("spend-limits")) budgets.reload();
        });
    }

    public void list(Exchange exchange) {
        int limit = number(exchange.query("limit"), "limit", 20, 1, 1000);
        String scopeType = exchange.query("scope_type");
        String after = exchange.query("after_id");
        String before = exchange.query("before_id");
        List<SpendLimit> all = new ArrayList<>();
        for (SpendLimit l : store.all()) {
            if (scopeType != null && !l.scopeType().equals(scopeType)) continue;
            if (after != null && l.id().compareTo(after) <= 0) continue;
            if (before != null && l.id().compareTo(before) >= 0) continue;
            all.add(l);
        }
        List<SpendLimit> page = before != null
                ? all.subList(Math.max(0, all.size() - limit), all.size())
                : all.subList(0, Math.min(limit, all.size()));
        boolean hasMore = page.size() < all.size();
        exchange.sendJson(200, Bodies.json(Bodies.Page.of(page, Bodies.Limit::of, SpendLimit::id, hasMore)));
    }

    public void create(Exchange exchange) {
        exchange.sendJson(200, Bodies.json(Bodies.Limit.of(save(exchange, KeyDesk.jsonBody(exchange)))));
    }

    /**
     * Creates or replaces the limit for a scope and period from an Anthropic-shaped body ({@code scope},
     * {@code period}, {@code amount} in cents as a string or null); a 400 naming the field before anything changes.
     */
    public SpendLimit save(Exchange exchange, JsonNode body) {
        JsonNode scope = body.path("scope");
        String type = scope.path("type").asText("");
        String value = switch (type) {
            case "user" ->
                required(scope, "user_id").contains("@")
                        ? required(scope, "user_id").toLowerCase(Locale.ROOT)
                        : required(scope, "user_id");
            case "rbac_group" -> required(scope, "rbac_group_id");
            case "organization" -> "";
            default -> throw new HttpError(ApiError.invalidRequest("scope.type: use user, rbac_group or organization"));
        };
        Period period = Period.parse(body.path("period").asText(""));
        if (period == null) throw new HttpError(ApiError.invalidRequest("period: use daily, weekly or monthly"));
        if (!body.has("amount"))
            throw new HttpError(ApiError.invalidRequest(
                    "amount: required, whole USD cents as a string (\"500\" is $5.00), or null for unlimited"));
        Long cents = null;
        JsonNode amount = body.get("amount");
        if (!amount.isNull()) {
            String text = amount.asText();
            if (!text.matches("^[0-9]{1,15}$"))
                throw new HttpError(ApiError.invalidRequest(
                        "amount: whole USD cents as a string, such as \"500\" for $5.00, or null for unlimited"));
            cents = Long.parseLong(text);
        }
        String alerts = null;
        JsonNode given = body.path("alert_thresholds");
        if (given.isNull()) alerts = SpendLimitStore.DEFAULT_THRESHOLDS;
        else if (!given.isMissingNode()) {
            if (!given.isArray() || given.size() > 10)
                throw new HttpError(ApiError.invalidRequest(
                        "alert_thresholds: a list of up to 10 whole percentages, such as [50, 90], [] for none, or"
                                + " null for the gateway's defaults"));
            Set<Integer> each = new TreeSet<>();
            for (JsonNode percent : given) {
                if (!percent.isInt() || percent.asInt() < 1 || percent.asInt() > 1000)
                    throw new HttpError(ApiError.invalidRequest(
                            "alert_thresholds: whole percentages from 1 to 1000, such as [50, 90]"));
                each.add(percent.asInt());
            }
            alerts = String.join(",", each.stream().map(String::valueOf).toList());
        }
        SpendLimit saved = store.upsert(type, value, period.apiName(), cents, alerts);
        audit(
                exchange,
                "admin.limit.upsert",
                type + ":" + value + ":" + period.apiName(),
                cents == null ? "unlimited" : cents + " cents");
        shared.broadcast("spend-limits");
        return saved;
    }

    public void get(Exchange exchange) {
        SpendLimit limit = find(exchange.pathParam("id"));
        exchange.sendJson(200, Bodies.json(Bodies.Limit.of(limit)));
    }

    public void delete(Exchange exchange) {
        SpendLimit limit = find(exchange.pathParam("id"));
        remove(exchange, limit);
        exchange.sendJson(200, Bodies.json(new Bodies.LimitDeleted("spend_limit_deleted", limit.id())));
    }

    /** Deletes the limit on every instance, audited as the exchange's caller. */
    public void remove(Exchange exchange, SpendLimit limit) {
        store.delete(limit.id());
        audit(
                exchange,
                "admin.limit.delete",
                limit.scopeType() + ":" + limit.scopeValue() + ":" + limit.period(),
                null);
        shared.broadcast("spend-limits");
    }

    /** One row per person and period: the limit in effect, where it comes from, and the spend so far. */
    public void effective(Exchange exchange) {
        List<String> wantedUsers = exchange.queryAll("user_ids[]");
        List<String> wantedPeriods = exchange.queryAll("period[]");
        for (String p : wantedPeriods)
            if (Period.parse(p) == null)
                throw new HttpError(ApiError.invalidRequest("period[]: use daily, weekly or monthly"));
        String q = exchange.query("q");
        int limit = number(exchange.query("limit"), "limit", 20, 1, 1000);
        int page = number(exchange.query("page"), "page", 1, 1, 1_000_000);
        Instant now = Instant.now();
        record Row(User user, List<String> groups, Budgets.Effective effective, long spent) {}
        List<Row> rows = new ArrayList<>();
        for (User user : users.all()) {
            if (!wantedUsers.isEmpty() && !wantedUsers.contains(user.id()) && !wantedUsers.contains(user.email()))
                continue;
            if (q != null
                    && !user.email().contains(q.toLowerCase(Locale.ROOT))
                    && (user.name() == null
                            || !user.name().toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT)))) continue;
            List<String> groups = users.groupsOf(user.id());
            Principal principal = new Principal(user.id(), user.email(), null, groups, false);
            for (Period period : Period.values()) {
                if (!wantedPeriods.isEmpty() && !wantedPeriods.contains(period.apiName())) continue;
                rows.add(new Row(
                        user, groups, budgets.effective(principal, period), budgets.spent(user.id(), period, now)));
            }
        }
        if ("spend_desc".equals(exchange.query("sort")))
            rows.sort(Comparator.comparingLong(Row::spent).reversed());
        int from = Math.min(rows.size(), (page - 1) * limit);
        List<Row> shown = rows.subList(from, Math.min(rows.size(), from + limit));
        boolean more = from + limit < rows.size();
        List<Bodies.EffectiveLimit> data = new ArrayList<>();
        for (Row row : shown) {
            Long cents = row.effective().amountCents();
            data.add(new Bodies.EffectiveLimit(
                    Bodies.Scope.of("user", row.user().id()),
                    row.groups(),
                    new Bodies.Actor(
                            "user_actor",
                            row.user().id(),
                            row.user().name(),
                            row.user().email(),
                            false),
                    cents == null ? null : cents.toString(),
                    "USD",
                    row.effective().period().apiName(),
                    row.effective().source(),
                    row.effective().limit() == null
                            ? null
                            : row.effective().limit().id(),
                    cents(row.spent())));
        }
        exchange.sendJson(200, Bodies.json(new Bodies.EffectivePage(data, more, more ? page + 1 : null)));
    }

    /** Changes to spend limits, newest first: who set or deleted which limit, when. */
    public void audit(Exchange exchange) {
        int limit = number(exchange.query("limit"), "limit", 20, 1, 1000);
        List<AuditLog.Event> events = audit.recent("admin.limit.", exchange.query("after_id"), limit + 1);
        boolean more = events.size() > limit;
        List<AuditLog.Event> page = more ? events.subList(0, limit) : events;
        exchange.sendJson(200, Bodies.json(Bodies.Page.of(page, Bodies.LimitChange::of, AuditLog.Event::id, more)));
    }

    /** Nanodollars as USD cents, exactly: 1 cent is 10^7 nanodollars. */
    static String cents(long nanos) {
        return BigDecimal.valueOf(nanos, 7).stripTrailingZeros().toPlainString();
    }

    /** The limit with this id; a 404 when there is none. */
    public SpendLimit find(String id) {
        return store.byId(id)
                .orElseThrow(() -> new HttpError(ApiError.notFound("spend limit " + id + " does not exist")));
    }

    private void audit(Exchange exchange, String action, String target, String detail) {
        audit.record(exchange.principal().email(), action, target, "ok", exchange.clientIp(), detail);
    }

    private static String required(JsonNode scope, String field) {
        String value = scope.path(field).asText("").strip();
        if (value.isEmpty() || value.length() > 320)
            throw new HttpError(ApiError.invalidRequest("scope." + field + ": required"));
        return value;
    }

    static int number(String text, String name, int fallback, int min, int max) {
        if (text == null || text.isBlank()) return fallback;
        try {
            int value = Integer.parseInt(text.strip());
            if (value < min || value > max) throw new NumberFormatException();
            return value;
        } catch (NumberFormatException e) {
            throw new HttpError(ApiError.invalidRequest(name + ": must be a whole number from " + min + " to " + max));
        }
    }
}
