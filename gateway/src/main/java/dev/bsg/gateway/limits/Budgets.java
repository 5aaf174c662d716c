package dev.bsg.gateway.limits;

import dev.bsg.gateway.auth.Principal;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.SpendLimitStore;
import dev.bsg.gateway.store.SpendLimitStore.SpendLimit;
import dev.bsg.gateway.store.Sql;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend limits as they apply to one person: their own limit, else the most restrictive (or generous)
 * of their groups' per-seat limits, else the organisation's; checked against what they spent this day,
 * week or month. Spend so far is a counter per person and period, loaded from the daily rollups the
 * first time it is needed and then kept up by every priced request.
 */
public final class Budgets {
    private static final Logger LOG = LoggerFactory.getLogger(Budgets.class);
    public static final long NANOS_PER_CENT = 10_000_000L;

    /** The limit that applies to a person for a period, and where it comes from; {@code limit} null = unlimited. */
    public record Effective(Period period, SpendLimit limit, String source) {
        public Long amountCents() {
            return limit == null ? null : limit.amountCents();
        }
    }

    private final SpendLimitStore store;
    private final Sql sql;
    private final Counters counters;
    private final Settings.Budgets settings;
    private volatile List<SpendLimit> limits;
    // Per person (user, email, groups) the limits in effect for each period; emptied when the limits change.
    private volatile java.util.concurrent.ConcurrentHashMap<Principal, Effective[]> effectiveCache = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Calendar calendar = Calendar.of(Instant.now());

    /** The current day, week and month starts and resets, recomputed when the day changes. */
    private record Calendar(long validUntilMillis, String[] starts, Instant[] resets) {
        static Calendar of(Instant now) {
            Period[] periods = Period.values();
            String[] starts = new String[periods.length];
            Instant[] resets = new Instant[periods.length];
            for (Period p : periods) {
                starts[p.ordinal()] = p.start(now).toString();
                resets[p.ordinal()] = p.reset(now);
            }
            return new Calendar(Period.DAILY.reset(now).toEpochMilli(), starts, resets);
        }
    }

    private Calendar calendar(Instant now) {
        Calendar current = calendar;
        if (now.toEpochMilli() >= current.validUntilMillis() || now.toEpochMilli() < current.validUntilMillis() - 86_400_000L) {
            current = Calendar.of(now);
            calendar = current;
        }
        return current;
    }

    public Budgets(SpendLimitStore store, Sql sql, Counters counters, Settings.Budgets settings) {
        this.store = store;
        this.sql = sql;
        this.counters = counters;
        this.settings = settings;
        this.limits = store.all();
    }

    /** Re-reads the limits, so a change made through another instance applies here too. */
    public void reload() {
        limits = store.all();
        effectiveCache = new java.util.concurrent.ConcurrentHashMap<>();
    }

    public boolean any() {
        return !limits.isEmpty();
    }

    public Effective effective(Principal principal, Period period) {
        List<SpendLimit> snapshot = limits;
        String name = period.apiName();
        String email = principal.email() == null ? "" : principal.email().toLowerCase(Locale.ROOT);
        for (SpendLimit limit : snapshot) {
            if (limit.period().equals(name) && limit.scopeType().equals("user")
                    && (limit.scopeValue().equals(principal.userId()) || limit.scopeValue().equalsIgnoreCase(email))) {
                return new Effective(period, limit, "user");
            }
        }
        SpendLimit chosen = null;
        for (SpendLimit limit : snapshot) {
            if (!limit.period().equals(name) || !limit.scopeType().equals("rbac_group") || !principal.groups().contains(limit.scopeValue())) continue;
            if (chosen == null || tighter(limit, chosen) == settings.groupLimitModeMin()) chosen = limit;
        }
        if (chosen != null) return new Effective(period, chosen, "rbac_group");
        for (SpendLimit limit : snapshot) {
            if (limit.period().equals(name) && limit.scopeType().equals("organization")) return new Effective(period, limit, "organization");
        }
        return new Effective(period, null, "none");
    }

    /** Whether {@code a} is more restrictive than {@code b}; an unlimited (null) amount is the least. */
    private static boolean tighter(SpendLimit a, SpendLimit b) {
        if (a.amountCents() == null) return false;
        return b.amountCents() == null || a.amountCents() < b.amountCents();
    }

    /**
     * Where a person stands against the limit of one period. {@code spentNanos} is -1 when spend couldn't
     * be read and the gateway is configured to fail closed.
     */
    public record Standing(Period period, Instant resetsAt, long limitCents, long spentNanos) {
        public boolean blocked() {
            return spentNanos < 0 || spentNanos >= limitCents * NANOS_PER_CENT;
        }

        /** Spent over limit: 0.0 to 1.0 and beyond; 1.0 for a zero limit. */
        public double utilization() {
            if (spentNanos < 0 || limitCents == 0) return 1.0;
            return (double) spentNanos / (limitCents * (double) NANOS_PER_CENT);
        }
    }

    /** This person's standing for every period with a limit. A spend store that can't answer is skipped (fail open) unless configured closed. */
    public List<Standing> standings(Principal principal, Instant now) {
        if (principal.userId() == null || limits.isEmpty()) return List.of();
        Effective[] all = effectiveCache.computeIfAbsent(principal, p -> {
            Effective[] each = new Effective[Period.values().length];
            for (Period period : Period.values()) each[period.ordinal()] = effective(p, period);
            return each;
        });
        List<Standing> standings = new java.util.ArrayList<>(3);
        for (Period period : Period.values()) {
            Long cents = all[period.ordinal()].amountCents();
            if (cents == null) continue;
            Instant reset = calendar(now).resets()[period.ordinal()];
            try {
                standings.add(new Standing(period, reset, cents, spent(principal.userId(), period, now)));
            } catch (RuntimeException e) {
                LOG.warn("spend for {} could not be read ({}); {}", principal.email(), e.getMessage(), settings.failClosed() ? "refusing" : "allowing");
                if (settings.failClosed()) standings.add(new Standing(period, reset, cents, -1));
            }
        }
        return standings;
    }

    /** The standing that decides this request: the first limit reached, else the closest to it; null when no limit applies. */
    public Standing check(Principal principal, Instant now) {
        Standing decisive = null;
        for (Standing standing : standings(principal, now)) {
            if (standing.blocked()) return standing;
            if (decisive == null || standing.utilization() > decisive.utilization()) decisive = standing;
        }
        return decisive;
    }

    /** What a person spent so far in the period, in nanodollars. */
    public long spent(String userId, Period period, Instant now) {
        String key = key(userId, period, now);
        long value = counters.get(key);
        if (value >= 0) return value;
        long fromStore = sql.one("SELECT COALESCE(SUM(cost_nanos), 0) FROM usage_daily WHERE user_id = ? AND day >= ?",
                row -> row.getLong(1), userId, calendar(now).starts()[period.ordinal()]).orElse(0L);
        counters.setIfAbsent(key, fromStore, ttl(period, now));
        return Math.max(counters.get(key), fromStore);
    }

    /** Adds a priced request to its person's running totals (those already loaded). */
    public void record(String userId, long costNanos, Instant now) {
        if (userId == null || costNanos <= 0 || limits.isEmpty()) return;
        String[] keys = new String[Period.values().length];
        for (Period period : Period.values()) keys[period.ordinal()] = key(userId, period, now);
        try {
            counters.addIfPresent(keys, costNanos);
        } catch (RuntimeException e) {
            LOG.warn("spend counters could not be updated ({}); they are reloaded from the usage records when they expire", e.getMessage());
        }
    }

    private String key(String userId, Period period, Instant now) {
        return "sp:" + userId + ":" + period.apiName() + ":" + calendar(now).starts()[period.ordinal()];
    }

    private static Duration ttl(Period period, Instant now) {
        return Duration.between(now, period.reset(now)).plusHours(1);
    }
}
