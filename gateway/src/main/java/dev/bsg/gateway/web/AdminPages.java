package dev.bsg.gateway.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.gateway.admin.AdminApi;
import dev.bsg.gateway.admin.KeyDesk;
import dev.bsg.gateway.admin.SpendLimitsApi;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.limits.Budgets;
import dev.bsg.gateway.limits.Period;
import dev.bsg.gateway.metering.Pricing;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.gateway.settings.ManagedPolicies;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.SpendLimitStore;
import dev.bsg.gateway.store.SpendLimitStore.SpendLimit;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.protocol.errors.ApiError;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The administrators' pages: users, keys, usage, spend limits, policies and prices, and the audit log. */
public final class AdminPages {
    private static final int PAGE = 100;
    private final ConsoleSessions sessions;
    private final Templates templates;
    private final UserStore users;
    private final ApiKeyStore keys;
    private final AdminApi admin;
    private final KeyDesk desk;
    private final SpendLimitsApi spendLimits;
    private final SpendLimitStore limitStore;
    private final Budgets budgets;
    private final UsageReports reports;
    private final AuditLog audit;
    private final Pricing pricing;
    private final ManagedPolicies policies;
    private final Settings.Limits rateLimits;

    AdminPages(
            ConsoleSessions sessions,
            Templates templates,
            UserStore users,
            ApiKeyStore keys,
            AdminApi admin,
            SpendLimitsApi spendLimits,
            SpendLimitStore limitStore,
            Budgets budgets,
            UsageReports reports,
            AuditLog audit,
            Pricing pricing,
            ManagedPolicies policies,
            Settings.Limits rateLimits) {
        this.sessions = sessions;
        this.templates = templates;
        this.users = users;
        this.keys = keys;
        this.admin = admin;
        this.desk = admin.desk();
        this.spendLimits = spendLimits;
        this.limitStore = limitStore;
        this.budgets = budgets;
        this.reports = reports;
        this.audit = audit;
        this.pricing = pricing;
        this.policies = policies;
        this.rateLimits = rateLimits;
    }

    /** A person in the users list. */
    public record Person(
            String id,
            String email,
            String name,
            String team,
            String groups,
            boolean disabled,
            String spentThisMonth,
            String lastSeen) {}

    /** {@code GET /admin/users?q=}: everyone, or those whose email, name or team holds q; spend this month. */
    public void users(Exchange exchange) {
        View view = sessions.admin(exchange, "Users", "admin-users");
        if (view == null) return;
        String q = trimmed(exchange.query("q"));
        Map<String, String> spent = new HashMap<>();
        long monthStart = LocalDate.now(ZoneOffset.UTC)
                .withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
        for (Map<String, Object> row : reports.query(
                        new UsageReports.Query(null, monthStart, Long.MAX_VALUE, List.of("user"), Map.of()))
                .rows()) spent.put(String.valueOf(row.get("user")), Money.usd(String.valueOf(row.get("cost_usd"))));
        List<Person> people = new ArrayList<>();
        List<UserStore.Listed> found = users.search(q, PAGE);
        Map<String, String> lastSeen =
                reports.lastSeen(found.stream().map(l -> l.user().id()).toList());
        for (UserStore.Listed listed : found) {
            User user = listed.user();
            people.add(new Person(
                    user.id(),
                    user.email(),
                    user.name(),
                    user.team(),
                    String.join(", ", listed.groups()),
                    user.disabled(),
                    spent.getOrDefault(user.email(), "$0.00"),
                    lastSeen.getOrDefault(user.id(), "never")));
        }
        int matched = people.size() < PAGE ? people.size() : users.count(q);
        templates.send(exchange, 200, "admin/users.jte", view, "people", people, "q", q, "matched", matched);
    }

    /** {@code GET /admin/users/{id}}: one person's groups, team, keys and budget standing. */
    public void user(Exchange exchange) {
        View view = sessions.admin(exchange, "User", "admin-users");
        if (view != null) showUser(exchange, view, 200);
    }

    private void showUser(Exchange exchange, View view, int status) {
        User user = users.byId(exchange.pathParam("id")).orElse(null);
        if (user == null) {
            templates.send(
                    exchange,
                    404,
                    "message.jte",
                    view.withTitle("No such user", "admin-users"),
                    "text",
                    "No such user.");
            return;
        }
        List<String> groups = users.groupsOf(user.id());
        Principal principal = new Principal(user.id(), user.email(), null, groups, false);
        Instant now = Instant.now();
        List<SelfPages.Standing> standings = new ArrayList<>();
        for (Budgets.Standing standing : budgets.standings(principal, now))
            standings.add(SelfPages.Standing.of(standing));
        List<LimitRow> effective = new ArrayList<>();
        for (Period period : Period.values()) {
            Budgets.Effective limit = budgets.effective(principal, period);
            effective.add(new LimitRow(
                    limit.limit() == null ? null : limit.limit().id(),
                    limit.source(),
                    "",
                    period.apiName(),
                    limit.amountCents() == null ? "no limit" : Money.cents(limit.amountCents()),
                    Money.usd(budgets.spent(user.id(), period, now)),
                    alerts(limit.limit())));
        }
        templates.send(
                exchange,
                status,
                "admin/user.jte",
                view.withTitle(user.email(), "admin-users"),
                "user",
                user,
                "groups",
                groups,
                "keys",
                KeyRow.withLastUse(keys.ofUser(user.id()), keys),
                "standings",
                standings,
                "effective",
                effective);
    }

    /** {@code POST /admin/users/{id}}: disable, enable or set the team, as {@code PATCH /api/admin/users/{id}}. */
    public void updateUser(Exchange exchange) {
        View view = sessions.admin(exchange, "User", "admin-users");
        if (view == null) return;
        Map<String, String> form = sessions.form(exchange, view);
        if (form == null) return;
        User user = users.byId(exchange.pathParam("id")).orElse(null);
        if (user == null) {
            showUser(exchange, view, 404);
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        String notice;
        switch (String.valueOf(form.get("action"))) {
            case "disable" -> {
                body.put("disabled", true);
                notice = "Disabled: their keys and sessions are refused.";
            }
            case "enable" -> {
                body.put("disabled", false);
                notice = "Enabled again.";
            }
            case "team" -> {
                String team = trimmed(form.get("team"));
                if (team == null) body.putNull("team");
                else body.put("team", team);
                notice = team == null ? "Team cleared." : "Team set to " + team + ".";
            }
            default -> {
                showUser(exchange, view.withError("Unknown action."), 400);
                return;
            }
        }
        try {
            admin.update(exchange, user, body);
            showUser(exchange, view.withNotice(notice), 200);
        } catch (HttpError e) {
            showUser(exchange, view.withError(e.getMessage()), 400);
        }
    }

    /** {@code GET /admin/keys?user=&team=&project=}. */
    public void keys(Exchange exchange) {
        View view = sessions.admin(exchange, "Keys", "admin-keys");
        if (view != null) showKeys(exchange, view, 200);
    }

    private void showKeys(Exchange exchange, View view, int status) {
        String user = trimmed(exchange.query("user"));
        String team = trimmed(exchange.query("team"));
        String project = trimmed(exchange.query("project"));
        List<ApiKey> shown = new ArrayList<>();
        int matched = 0;
        for (ApiKey key : keys.all()) {
            if (user != null && !key.userEmail().contains(user.toLowerCase(Locale.ROOT))) continue;
            if (team != null && !team.equals(key.team())) continue;
            if (project != null && !project.equals(key.project())) continue;
            if (++matched <= PAGE) shown.add(key);
        }
        templates.send(
                exchange,
                status,
                "admin/keys.jte",
                view,
                "keys",
                KeyRow.withLastUse(shown, keys),
                "matched",
                matched,
                "user",
                user,
                "team",
                team,
                "project",
                project);
    }

    /** {@code GET /admin/keys/{id}/revoke}: asks first. */
    public void confirmRevoke(Exchange exchange) {
        View view = sessions.admin(exchange, "Revoke this key?", "admin-keys");
        if (view == null) return;
        ApiKey key = keys.byId(exchange.pathParam("id")).orElse(null);
        if (key == null) {
            showKeys(exchange, view.withTitle("Keys", "admin-keys").withError("No such key."), 404);
            return;
        }
        templates.confirm(
                exchange,
                view,
                "Programs using " + key.userEmail() + "'s key \"" + key.name() + "\" (" + key.hint()
                        + ") stop working at once, on every instance.",
                "/admin/keys/" + key.id() + "/revoke",
                "Revoke the key",
                "/admin/keys");
    }

    /** {@code POST /admin/keys/{id}/revoke}. */
    public void revoke(Exchange exchange) {
        View view = sessions.admin(exchange, "Keys", "admin-keys");
        if (view == null) return;
        if (sessions.form(exchange, view) == null) return;
        ApiKey key = keys.byId(exchange.pathParam("id")).orElse(null);
        if (key == null) {
            showKeys(exchange, view.withError("No such key."), 404);
            return;
        }
        desk.withdraw(exchange, key);
        showKeys(exchange, view.withNotice("Revoked " + key.userEmail() + "'s key \"" + key.name() + "\"."), 200);
    }

    /** {@code GET /admin/usage?group=user&group=day&from=&to=}: the same report as {@code /api/admin/usage}. */
    public void usage(Exchange exchange) {
        View view = sessions.admin(exchange, "Usage", "admin-usage");
        if (view == null) return;
        UsageForm form = UsageForm.read(exchange, reports.dimensions());
        UsageReports.Report report;
        try {
            report = reports.query(form.query());
        } catch (HttpError e) {
            view = view.withError(e.getMessage());
            form = UsageForm.defaults();
            report = reports.query(form.query());
        }
        UsageReports.Report byDay = form.groups().equals(List.of("day"))
                ? report
                : reports.query(
                        new UsageReports.Query(null, form.fromMillis(), form.toMillis(), List.of("day"), Map.of()));
        templates.send(
                exchange,
                200,
                "admin/usage.jte",
                view,
                "form",
                form,
                "dimensions",
                reports.dimensions(),
                "table",
                UsageTable.of(report),
                "chart",
                UsageTable.chart(byDay, form.firstDay(), form.lastDay()));
    }

    /** {@code GET /admin/usage.csv}: the table above as CSV, the same columns as {@code /api/admin/usage?format=csv}. */
    public void usageCsv(Exchange exchange) {
        View view = sessions.admin(exchange, "Usage", "admin-usage");
        if (view == null) return;
        UsageReports.Report report =
                reports.query(UsageForm.read(exchange, reports.dimensions()).query());
        exchange.setHeader("Content-Disposition", "attachment; filename=\"usage.csv\"");
        exchange.setHeader("Cache-Control", "no-store");
        exchange.send(200, "text/csv; charset=utf-8", report.csv().getBytes(StandardCharsets.UTF_8));
    }

    /** The limit form's values: empty for a new limit, an existing one's for "Edit". */
    public record LimitForm(String scopeType, String scope, String period, String amount, String alerts) {
        public boolean is(String field, String value) {
            return switch (field) {
                case "scope_type" -> scopeType.equals(value);
                case "period" -> period.equals(value);
                default -> false;
            };
        }
    }

    private static String orElse(String value, String fallback) {
        String text = trimmed(value);
        return text == null ? fallback : text;
    }

    /** A spend limit as the page lists it, in dollars. */
    public record LimitRow(
            String id, String scopeType, String scope, String period, String amount, String spent, String alerts) {
        /** The amount as the form takes it: dollars without the sign, blank for unlimited. */
        public String editAmount() {
            return amount.startsWith("$") ? amount.substring(1) : "";
        }

        /** The alert thresholds as the form takes them: blank for the defaults. */
        public String editAlerts() {
            return alerts.equals("default") ? "" : alerts.replace(" %", "");
        }
    }

    /** A limit's alert thresholds as the pages show them. */
    static String alerts(SpendLimit limit) {
        if (limit == null) return "";
        if (limit.alertThresholds() == null) return "default";
        List<Integer> own = limit.thresholds(List.of());
        return own.isEmpty()
                ? "none"
                : String.join(", ", own.stream().map(String::valueOf).toList()) + " %";
    }

    /** {@code GET /admin/limits}: every limit, a form for a new one, and any person's effective limits. */
    public void limits(Exchange exchange) {
        View view = sessions.admin(exchange, "Spend limits", "admin-limits");
        if (view != null) showLimits(exchange, view, 200);
    }

    private void showLimits(Exchange exchange, View view, int status) {
        List<LimitRow> rows = new ArrayList<>();
        for (SpendLimit limit : limitStore.all()) {
            rows.add(new LimitRow(
                    limit.id(),
                    limit.scopeType(),
                    limit.scopeValue().isEmpty() ? "everyone" : limit.scopeValue(),
                    limit.period(),
                    limit.amountCents() == null ? "unlimited" : Money.cents(limit.amountCents()),
                    "",
                    alerts(limit)));
        }
        LimitForm form = new LimitForm(
                orElse(exchange.query("scope_type"), "user"),
                orElse(exchange.query("scope"), ""),
                orElse(exchange.query("period"), "monthly"),
                orElse(exchange.query("amount"), ""),
                orElse(exchange.query("alerts"), ""));
        templates.send(exchange, status, "admin/limits.jte", view, "limits", rows, "form", form);
    }

    /** {@code POST /admin/limits}: scope, period and an amount in dollars (blank: unlimited). */
    public void saveLimit(Exchange exchange) {
        View view = sessions.admin(exchange, "Spend limits", "admin-limits");
        if (view == null) return;
        Map<String, String> form = sessions.form(exchange, view);
        if (form == null) return;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode scope = body.putObject("scope");
        String type = String.valueOf(form.get("scope_type"));
        scope.put("type", type);
        String who = trimmed(form.get("scope"));
        if (type.equals("user") && who != null) scope.put("user_id", who);
        if (type.equals("rbac_group") && who != null) scope.put("rbac_group_id", who);
        SelfPages.putIfPresent(body, "period", form.get("period"));
        String dollars = trimmed(form.get("amount"));
        String alerts = trimmed(form.get("alerts"));
        try {
            if (dollars == null) body.putNull("amount");
            else body.put("amount", cents(dollars));
            if (alerts == null) body.putNull("alert_thresholds");
            else {
                var percents = body.putArray("alert_thresholds");
                if (!alerts.equalsIgnoreCase("none")) {
                    for (String percent : alerts.replace("%", "").split("[,\\s]+")) {
                        if (!percent.matches("^[0-9]{1,4}$"))
                            throw new HttpError(ApiError.invalidRequest(
                                    "alerts: whole percentages such as 50, 90; none; or blank for the defaults"));
                        percents.add(Integer.parseInt(percent));
                    }
                }
            }
            SpendLimit saved = spendLimits.save(exchange, body);
            showLimits(
                    exchange,
                    view.withNotice("Saved: " + saved.period() + " "
                            + (saved.amountCents() == null ? "unlimited" : Money.cents(saved.amountCents())) + " for "
                            + (saved.scopeValue().isEmpty() ? "everyone" : saved.scopeValue()) + "."),
                    200);
        } catch (HttpError e) {
            showLimits(exchange, view.withError(e.getMessage()), 400);
        }
    }

    private static String cents(String dollars) {
        String text = dollars.replace("$", "").replace(",", "").strip();
        try {
            BigDecimal amount = new BigDecimal(text);
            if (amount.signum() < 0 || amount.scale() > 2 || amount.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0)
                throw new NumberFormatException();
            return amount.movePointRight(2).toBigIntegerExact().toString();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new HttpError(
                    ApiError.invalidRequest("amount: dollars and cents such as 25 or 12.50, or blank for unlimited"));
        }
    }

    /** {@code GET /admin/limits/{id}/delete}: asks first. */
    public void confirmDeleteLimit(Exchange exchange) {
        View view = sessions.admin(exchange, "Delete this limit?", "admin-limits");
        if (view == null) return;
        SpendLimit limit = limitStore.byId(exchange.pathParam("id")).orElse(null);
        if (limit == null) {
            showLimits(exchange, view.withTitle("Spend limits", "admin-limits").withError("No such limit."), 404);
            return;
        }
        templates.confirm(
                exchange,
                view,
                "The " + limit.period() + " limit for "
                        + (limit.scopeValue().isEmpty() ? "everyone" : limit.scopeType() + " " + limit.scopeValue())
                        + " stops applying at once.",
                "/admin/limits/" + limit.id() + "/delete",
                "Delete the limit",
                "/admin/limits");
    }

    /** {@code POST /admin/limits/{id}/delete}. */
    public void deleteLimit(Exchange exchange) {
        View view = sessions.admin(exchange, "Spend limits", "admin-limits");
        if (view == null) return;
        if (sessions.form(exchange, view) == null) return;
        SpendLimit limit = limitStore.byId(exchange.pathParam("id")).orElse(null);
        if (limit == null) {
            showLimits(exchange, view.withError("No such limit."), 404);
            return;
        }
        spendLimits.remove(exchange, limit);
        showLimits(exchange, view.withNotice("Deleted."), 200);
    }

    /** {@code GET /admin/settings?email=}: rate limits, the managed settings a person gets, and prices in force. */
    public void settings(Exchange exchange) {
        View view = sessions.admin(exchange, "Policies and prices", "admin-settings");
        if (view == null) return;
        String email = trimmed(exchange.query("email"));
        String effective = null;
        if (email != null) {
            User user = users.byEmail(email.toLowerCase(Locale.ROOT)).orElse(null);
            List<String> groups = user == null ? List.of() : users.groupsOf(user.id());
            ManagedPolicies.Effective settings = policies.effective(email, groups);
            effective = settings == null
                    ? "No policy applies to " + email + "."
                    : settings.settings().toPrettyString();
        }
        Map<String, Settings.Rate> rates = new LinkedHashMap<>();
        rates.put("each API key", rateLimits.key());
        rates.put("each user", rateLimits.user());
        rateLimits.groups().forEach((group, rate) -> rates.put("group " + group, rate));
        templates.send(
                exchange,
                200,
                "admin/settings.jte",
                view,
                "rates",
                rates,
                "concurrency",
                rateLimits.userConcurrency(),
                "email",
                email,
                "effective",
                effective,
                "prices",
                pricing.current(),
                "history",
                pricing.history().stream()
                        .map(i -> new PriceVersion(
                                i.version(), Instant.ofEpochMilli(i.at()).toString(), i.by()))
                        .toList());
    }

    /** A price list that was in force, for the page. */
    public record PriceVersion(String version, String at, String by) {}

    /** {@code GET /admin/audit?actor=&action=&from=&to=}. */
    public void audit(Exchange exchange) {
        View view = sessions.admin(exchange, "Audit log", "admin-audit");
        if (view == null) return;
        AuditForm form = AuditForm.read(exchange);
        List<AuditLog.Event> events = List.of();
        try {
            events = form.search(audit, 500);
        } catch (HttpError e) {
            view = view.withError(e.getMessage());
        }
        templates.send(exchange, 200, "admin/audit.jte", view, "form", form, "events", AuditForm.rows(events));
    }

    /** {@code GET /admin/audit.csv}: the same filter, as CSV. */
    public void auditCsv(Exchange exchange) {
        View view = sessions.admin(exchange, "Audit log", "admin-audit");
        if (view == null) return;
        List<AuditLog.Event> events = AuditForm.read(exchange).search(audit, 100_000);
        StringBuilder csv = new StringBuilder("id,at,actor,action,target,outcome,source_ip,detail\n");
        for (AuditLog.Event e : events) {
            csv.append(String.join(
                            ",",
                            UsageReports.cell(e.id()),
                            UsageReports.cell(Instant.ofEpochMilli(e.at()).toString()),
                            UsageReports.cell(e.actor()),
                            UsageReports.cell(e.action()),
                            UsageReports.cell(e.target()),
                            UsageReports.cell(e.outcome()),
                            UsageReports.cell(e.sourceIp()),
                            UsageReports.cell(e.detail())))
                    .append('\n');
        }
        exchange.setHeader("Content-Disposition", "attachment; filename=\"audit.csv\"");
        exchange.setHeader("Cache-Control", "no-store");
        exchange.send(200, "text/csv; charset=utf-8", csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String trimmed(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
