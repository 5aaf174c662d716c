package dev.bsg.gateway.limits;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.AlertStore;
import dev.bsg.gateway.store.AlertStore.Alert;
import dev.bsg.gateway.store.AlertStore.Delivery;
import dev.bsg.gateway.store.SpendLimitStore;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import dev.bsg.protocol.pricing.Price;
import dev.bsg.protocol.translate.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells people before a budget stops them: when a person's spend crosses a threshold of their effective limit, the
 * alert is recorded once (the database's key decides between instances) with a delivery per channel, and
 * {@link AlertDelivery} sends them. The usage writer only marks people whose spend changed; the check runs in the
 * background, so an alert never delays a request.
 */
public final class BudgetAlerts {
    private final Settings.Alerts settings;
    private final Budgets budgets;
    private final UserStore users;
    private final AlertStore store;
    private final Set<String> adminEmails;
    private final Clock clock;
    private final GatewayMetrics metrics;
    private final Set<String> changed = ConcurrentHashMap.newKeySet();

    public BudgetAlerts(
            Settings.Alerts settings,
            Budgets budgets,
            UserStore users,
            AlertStore store,
            Set<String> adminEmails,
            Clock clock,
            GatewayMetrics metrics) {
        this.settings = settings;
        this.budgets = budgets;
        this.users = users;
        this.store = store;
        this.adminEmails = Set.copyOf(adminEmails);
        this.clock = clock;
        this.metrics = metrics;
    }

    /** These people's spend was just written. */
    public void spent(Collection<String> userIds) {
        if (settings.any() && budgets.any()) changed.addAll(userIds);
    }

    /** Checks everyone whose spend changed since the last check. */
    public void check() {
        List<String> due = new ArrayList<>(changed);
        changed.removeAll(due);
        for (String userId : due) {
            try {
                check(userId);
            } catch (RuntimeException e) {
                changed.add(userId); // looked at again at the next turn
                throw e;
            }
        }
    }

    private void check(String userId) {
        Optional<User> user = users.byId(userId);
        if (user.isEmpty()) return;
        Principal principal = new Principal(userId, user.get().email(), null, users.groupsOf(userId), false);
        Instant now = clock.instant();
        for (Budgets.Standing standing : budgets.standings(principal, now)) {
            if (standing.spentNanos() < 0 || standing.limitCents() == 0) continue; // unknown, or a plain block
            List<Alert> crossed = new ArrayList<>();
            SpendLimitStore.SpendLimit limit =
                    budgets.effective(principal, standing.period()).limit();
            List<Integer> thresholds = limit == null ? settings.thresholds() : limit.thresholds(settings.thresholds());
            for (int threshold : thresholds) {
                if (standing.spentNanos() * 100 >= threshold * standing.limitCents() * Budgets.NANOS_PER_CENT)
                    crossed.add(new Alert(
                            userId,
                            standing.period().apiName(),
                            standing.period().start(now).toString(),
                            threshold,
                            standing.limitCents(),
                            standing.spentNanos()));
            }
            if (crossed.isEmpty()) continue;
            List<Integer> fired =
                    store.fire(crossed, alert -> deliveries(alert, user.get().email(), standing), now.toEpochMilli());
            for (int threshold : fired) metrics.alertFired(standing.period().apiName(), threshold);
        }
    }

    private List<Delivery> deliveries(Alert alert, String email, Budgets.Standing standing) {
        String limit = Price.usd(alert.limitCents() * Budgets.NANOS_PER_CENT);
        String spent = Price.usd(alert.spentNanos());
        String resets = standing.resetsAt().toString();
        String line = email + " has spent $" + trimmed(spent) + " of the $" + trimmed(limit) + " " + alert.period()
                + " limit (" + alert.threshold() + " %). It resets " + resets + ".";
        List<Delivery> out = new ArrayList<>();
        for (Settings.Alerts.Webhook webhook : settings.webhooks()) {
            if (webhook.format().equals("slack")) {
                out.add(new Delivery("slack", webhook.url(), null, Json.string(Json.bytes(Map.of("text", line)))));
            } else {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("type", "budget.threshold_crossed");
                body.put("user_id", alert.userId());
                body.put("user_email", email);
                body.put("period", alert.period());
                body.put("period_start", alert.periodStart());
                body.put("threshold_percent", alert.threshold());
                body.put("limit_usd", limit);
                body.put("spent_usd", spent);
                body.put("resets_at", resets);
                out.add(new Delivery("webhook", webhook.url(), null, Json.string(Json.bytes(body))));
            }
        }
        if (settings.smtp().enabled()) {
            String subject = "Claude spend: " + alert.threshold() + " % of the " + alert.period() + " limit";
            if (settings.notifyUser())
                out.add(new Delivery(
                        "email",
                        email,
                        subject,
                        "You have spent $" + trimmed(spent) + " of your $" + trimmed(limit) + " " + alert.period()
                                + " limit for Claude (" + alert.threshold() + " %). It resets " + resets + ".\n"));
            if (settings.notifyAdmins()) {
                for (String admin : adminEmails) {
                    if (!admin.equalsIgnoreCase(email) || !settings.notifyUser())
                        out.add(new Delivery("email", admin, subject + ": " + email, line + "\n"));
                }
            }
        }
        return out;
    }

    /** Dollars without the trailing zeros of nine decimals, but with cents: 0.81, 12.50, 0.004213. */
    private static String trimmed(String usd) {
        String out = usd.contains(".") ? usd.replaceAll("0+$", "") : usd + ".";
        int decimals = out.length() - out.indexOf('.') - 1;
        return decimals >= 2 ? out : out + "0".repeat(2 - decimals);
    }
}
