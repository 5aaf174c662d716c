package dev.bsg.gateway.web;

import dev.bsg.gateway.admin.AdminApi;
import dev.bsg.gateway.admin.ProductivityApi;
import dev.bsg.gateway.admin.SpendLimitsApi;
import dev.bsg.gateway.auth.Authenticator;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.limits.Budgets;
import dev.bsg.gateway.metering.Pricing;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.SpendLimitStore;
import dev.bsg.gateway.store.UserStore;
import java.util.function.Supplier;

/** The browser console: its pages for everyone and for admins, and the files they load. Routed in {@code Gateway}. */
public final class Console {
    private final SelfPages self;
    private final AdminPages admin;
    private final ProductivityPage productivity;
    private final Assets assets = new Assets();

    /** What the console reads and changes, all of it shared with the JSON API. */
    public record Parts(
            Authenticator authenticator,
            WebSignIn signIn,
            String csrfSecret,
            Settings settings,
            UsageReports reports,
            Budgets budgets,
            UserStore users,
            ApiKeyStore keys,
            AdminApi adminApi,
            SpendLimitsApi spendLimits,
            SpendLimitStore limitStore,
            AuditLog audit,
            Pricing pricing,
            ProductivityApi productivity,
            Supplier<String> publicUrl) {}

    public Console(Parts parts) {
        Templates templates = new Templates();
        ConsoleSessions sessions =
                new ConsoleSessions(parts.authenticator(), parts.signIn(), parts.csrfSecret(), templates);
        this.self = new SelfPages(
                sessions,
                templates,
                parts.reports(),
                parts.budgets(),
                parts.users(),
                parts.keys(),
                parts.adminApi().desk(),
                parts.publicUrl(),
                parts.settings().oidc().enabled(),
                new Downloads(parts.settings().downloads().dir()),
                parts.productivity());
        this.admin = new AdminPages(
                sessions,
                templates,
                parts.users(),
                parts.keys(),
                parts.adminApi(),
                parts.spendLimits(),
                parts.limitStore(),
                parts.budgets(),
                parts.reports(),
                parts.audit(),
                parts.pricing(),
                parts.settings().policies(),
                parts.settings().limits());
        this.productivity = new ProductivityPage(sessions, templates, parts.productivity());
    }

    public SelfPages self() {
        return self;
    }

    public AdminPages admin() {
        return admin;
    }

    public ProductivityPage productivity() {
        return productivity;
    }

    public void asset(Exchange exchange) {
        assets.serve(exchange);
    }

    public void favicon(Exchange exchange) {
        assets.favicon(exchange);
    }
}
