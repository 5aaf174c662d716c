package dev.bsg.gateway.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.gateway.admin.KeyDesk;
import dev.bsg.gateway.admin.ProductivityApi;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.limits.Budgets;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The pages every signed-in person has: their usage, their keys, and how to connect their tools. */
public final class SelfPages {
    private final ConsoleSessions sessions;
    private final Templates templates;
    private final UsageReports reports;
    private final Budgets budgets;
    private final UserStore users;
    private final ApiKeyStore keys;
    private final KeyDesk desk;
    private final Supplier<String> publicUrl;
    private final boolean signInConfigured;
    private final Downloads downloads;

    private final ProductivityApi productivity;

    SelfPages(
            ConsoleSessions sessions,
            Templates templates,
            UsageReports reports,
            Budgets budgets,
            UserStore users,
            ApiKeyStore keys,
            KeyDesk desk,
            Supplier<String> publicUrl,
            boolean signInConfigured,
            Downloads downloads,
            ProductivityApi productivity) {
        this.sessions = sessions;
        this.templates = templates;
        this.reports = reports;
        this.budgets = budgets;
        this.users = users;
        this.keys = keys;
        this.desk = desk;
        this.publicUrl = publicUrl;
        this.signInConfigured = signInConfigured;
        this.downloads = downloads;
        this.productivity = productivity;
    }

    /** {@code GET /}: the person's usage this month, or the way in for someone not signed in. */
    public void home(Exchange exchange) {
        View view = sessions.view(exchange, "My usage", "usage");
        if (!view.signedIn()) {
            templates.send(
                    exchange,
                    200,
                    "landing.jte",
                    view.withTitle("Claude through your company account", ""),
                    "signInConfigured",
                    signInConfigured);
            return;
        }
        Principal viewer = view.viewer();
        if (viewer.userId() == null) {
            templates.send(
                    exchange,
                    200,
                    "message.jte",
                    view,
                    "text",
                    "A static admin key has no usage of its own.",
                    "link",
                    "/admin/usage",
                    "linkText",
                    "Everyone's usage");
            return;
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        long from =
                today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long to = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        UsageReports.Report byDay =
                reports.query(new UsageReports.Query(viewer.userId(), from, to, List.of("day"), Map.of()));
        UsageReports.Report byModel =
                reports.query(new UsageReports.Query(viewer.userId(), from, to, List.of("model"), Map.of()));
        UsageReports.Report total =
                reports.query(new UsageReports.Query(viewer.userId(), from, to, List.of(), Map.of()));
        List<Standing> standings = new ArrayList<>();
        for (Budgets.Standing standing : budgets.standings(viewer, Instant.now())) standings.add(Standing.of(standing));
        templates.send(
                exchange,
                200,
                "usage.jte",
                view.withTitle(
                        "My usage in "
                                + today.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
                                + " " + today.getYear(),
                        "usage"),
                "days",
                UsageTable.of(byDay),
                "models",
                UsageTable.of(byModel),
                "total",
                UsageTable.of(total),
                "chart",
                UsageTable.chart(byDay, today.withDayOfMonth(1), today),
                "standings",
                standings,
                "activity",
                activity(viewer.userId(), today));
    }

    /** Claude Code's own account of the month, from its telemetry; null when it sent none. */
    private String activity(String userId, LocalDate today) {
        List<Map<String, Object>> rows = productivity.report(today.withDayOfMonth(1), today, false, userId);
        if (rows.isEmpty()) return null;
        Map<String, Object> row = rows.get(0);
        return row.get("sessions") + " sessions, " + row.get("active_hours") + " active hours, +"
                + row.get("lines_added") + " / \u2212" + row.get("lines_removed") + " lines, " + row.get("commits")
                + " commits, " + row.get("pull_requests") + " pull requests, " + row.get("edits_accepted")
                + " edits accepted and " + row.get("edits_rejected") + " rejected";
    }

    /** {@code GET /keys}. */
    public void keys(Exchange exchange) {
        View view = sessions.signedIn(exchange, "My keys", "keys");
        if (view != null) showKeys(exchange, view, 200);
    }

    private void showKeys(Exchange exchange, View view, int status) {
        String userId = view.viewer().userId();
        List<ApiKey> own = userId == null ? List.of() : keys.ofUser(userId);
        templates.send(exchange, status, "keys.jte", view, "keys", KeyRow.withLastUse(own, keys));
    }

    /** {@code POST /keys}: name, optional expiry (a day) and project; the secret is shown once. */
    public void createKey(Exchange exchange) {
        View view = sessions.signedIn(exchange, "My keys", "keys");
        if (view == null) return;
        Map<String, String> form = sessions.form(exchange, view);
        if (form == null) return;
        User user = self(view);
        if (user == null) {
            showKeys(exchange, view.withError("A static admin key has no keys of its own."), 400);
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        putIfPresent(body, "name", form.get("name"));
        putIfPresent(body, "project", form.get("project"));
        String expires = form.get("expires");
        if (expires != null && !expires.isBlank()) body.put("expires_at", expires.strip() + "T23:59:59Z");
        try {
            KeyDesk.Issued issued = desk.create(exchange, user, KeyDesk.read(body));
            templates.send(
                    exchange,
                    201,
                    "keyCreated.jte",
                    view.withTitle("Your new key", "keys"),
                    "key",
                    KeyRow.of(issued.key(), System.currentTimeMillis()),
                    "secret",
                    issued.secret(),
                    "gateway",
                    publicUrl.get());
        } catch (HttpError e) {
            showKeys(exchange, view.withError(e.getMessage()), 400);
        }
    }

    /** {@code GET /keys/{id}/revoke}: asks before revoking. */
    public void confirmRevoke(Exchange exchange) {
        View view = sessions.signedIn(exchange, "Revoke this key?", "keys");
        if (view == null) return;
        ApiKey key = own(view, exchange.pathParam("id"));
        if (key == null) {
            showKeys(exchange, view.withTitle("My keys", "keys").withError("No such key of yours."), 404);
            return;
        }
        templates.confirm(
                exchange,
                view,
                "Programs using \"" + key.name() + "\" (" + key.hint()
                        + ") stop working at once. This can't be undone.",
                "/keys/" + key.id() + "/revoke",
                "Revoke the key",
                "/keys");
    }

    /** {@code POST /keys/{id}/revoke}. */
    public void revoke(Exchange exchange) {
        View view = sessions.signedIn(exchange, "My keys", "keys");
        if (view == null) return;
        Map<String, String> form = sessions.form(exchange, view);
        if (form == null) return;
        ApiKey key = own(view, exchange.pathParam("id"));
        if (key == null) {
            showKeys(exchange, view.withError("No such key of yours."), 404);
            return;
        }
        desk.withdraw(exchange, key);
        showKeys(exchange, view.withNotice("Revoked \"" + key.name() + "\"."), 200);
    }

    /** {@code GET /connect}: ready-to-paste lines for each tool, with this gateway's address. */
    public void connect(Exchange exchange) {
        View view = sessions.signedIn(exchange, "Connect your tools", "connect");
        if (view != null) templates.send(exchange, 200, "connect.jte", view, "gateway", publicUrl.get());
    }

    /** {@code GET /downloads}: the bundles on offer, the visitor's system first. */
    public void downloads(Exchange exchange) {
        View view = sessions.signedIn(exchange, "Get bsg", "downloads");
        if (view == null) return;
        templates.send(
                exchange,
                200,
                "downloads.jte",
                view,
                "bundles",
                downloads.list(exchange.header("User-Agent")),
                "configured",
                downloads.configured(),
                "gateway",
                publicUrl.get());
    }

    /** {@code GET /downloads/{name}}: one bundle, to a signed-in person. */
    public void download(Exchange exchange) {
        View view = sessions.signedIn(exchange, "Get bsg", "downloads");
        if (view == null) return;
        if (!downloads.send(exchange, exchange.pathParam("name")))
            templates.send(
                    exchange,
                    404,
                    "message.jte",
                    view.withTitle("No such download", "downloads"),
                    "text",
                    "There is no such bundle here.",
                    "link",
                    "/downloads",
                    "linkText",
                    "The bundles on offer");
    }

    private ApiKey own(View view, String id) {
        String userId = view.viewer().userId();
        return userId == null
                ? null
                : keys.byId(id).filter(k -> k.userId().equals(userId)).orElse(null);
    }

    private User self(View view) {
        return view.viewer().userId() == null
                ? null
                : users.byId(view.viewer().userId()).orElse(null);
    }

    static void putIfPresent(ObjectNode body, String field, String value) {
        if (value != null && !value.isBlank()) body.put(field, value.strip());
    }

    /** A spend limit that applies, as the page shows it. */
    public record Standing(String period, String used, String limit, int percent, String resetsAt, String level) {
        static Standing of(Budgets.Standing standing) {
            double utilization = standing.utilization();
            return new Standing(
                    standing.period().apiName(),
                    Money.usd(Math.max(0, standing.spentNanos())),
                    Money.cents(standing.limitCents()),
                    (int) Math.min(999, Math.round(utilization * 100)),
                    standing.resetsAt().toString(),
                    standing.level());
        }
    }
}
