package dev.bsg.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bsg.gateway.core.Counters;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.SpendLimitStore;
import dev.bsg.gateway.store.SpendLimitStore.SpendLimit;
import dev.bsg.gateway.store.Sql;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend limits as they apply to one person: their own limit, else the most restrictive (or generous)
 * of their groups' per-seat limits, else the organisation's; checked against what they spent this day,
 * week or month, read from the same daily rollups as the usage report.
 */
@SuppressWarnings("EnumOrdinal") // per-period arrays indexed by Period's ordinal: no map on the per-request path
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
    private final long maxAgeNanos;
    private static final String VERSION = "spv:";
    private static final String PENDING = "spp:";
    private static final Duration PENDING_TTL = Duration.ofDays(1);
    private static final Duration VERSION_TTL = Duration.ofDays(40);
    private static final long UNKNOWN = Long.MIN_VALUE;
    // Bounded: one entry per person recently checked.
    private final Cache<String, Written> writtenCache =
            Caffeine.newBuilder().maximumSize(100_000).build();
    private final ConcurrentMap<String, Written> writtenByUser = writtenCache.asMap();
    private volatile List<SpendLimit> limits;
    // Per person (user, email, groups) the limits in effect for each period; emptied when the limits change.
    private volatile ConcurrentHashMap<Principal, Effective[]> effectiveCache = new ConcurrentHashMap<>();
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
        if (now.toEpochMilli() >= current.validUntilMillis()
                || now.toEpochMilli() < current.validUntilMillis() - 86_400_000L) {
            current = Calendar.of(now);
            calendar = current;
        }
        return current;
    }

    /**
     * @param maxAge how long written spend may be cached without news from other instances (short without Redis)
     */
    public Budgets(SpendLimitStore store, Sql sql, Counters counters, Settings.Budgets settings, Duration maxAge) {
        this.store = store;
        this.sql = sql;
        this.counters = counters;
        this.settings = settings;
        this.maxAgeNanos = maxAge.toNanos();
        this.limits = store.all();
    }

    /** Re-reads the limits, so a change made through another instance applies here too. */
    public void reload() {
        limits = store.all();
        effectiveCache = new ConcurrentHashMap<>();
    }

    public boolean any() {
        return !limits.isEmpty();
    }

    public Effective effective(Principal principal, Period period) {
        List<SpendLimit> snapshot = limits;
        String name = period.apiName();
        String email = principal.email() == null ? "" : principal.email().toLowerCase(Locale.ROOT);
        for (SpendLimit limit : snapshot) {
            if (limit.period().equals(name)
                    && limit.scopeType().equals("user")
                    && (limit.scopeValue().equals(principal.userId())
                            || limit.scopeValue().equalsIgnoreCase(email))) {
                return new Effective(period, limit, "user");
            }
        }
        SpendLimit chosen = null;
        for (SpendLimit limit : snapshot) {
            if (!limit.period().equals(name)
                    || !limit.scopeType().equals("rbac_group")
                    || !principal.groups().contains(limit.scopeValue())) continue;
            if (chosen == null || tighter(limit, chosen) == settings.groupLimitModeMin()) chosen = limit;
        }
        if (chosen != null) return new Effective(period, chosen, "rbac_group");
        for (SpendLimit limit : snapshot) {
            if (limit.period().equals(name) && limit.scopeType().equals("organization"))
                return new Effective(period, limit, "organization");
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
    /** From this share of a limit on, Claude Code warns the person (and the console says so). */
    public static final double WARNING_AT = 0.75;

    public record Standing(Period period, Instant resetsAt, long limitCents, long spentNanos) {
        /** As Claude Code shows it: critical once reached, warning from {@link #WARNING_AT}, else ok. */
        public String level() {
            return blocked() ? "critical" : utilization() >= WARNING_AT ? "warning" : "ok";
        }

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
        List<Standing> standings = new ArrayList<>(3);
        for (Period period : Period.values()) {
            Long cents = all[period.ordinal()].amountCents();
            if (cents == null) continue;
            Instant reset = calendar(now).resets()[period.ordinal()];
            try {
                standings.add(new Standing(period, reset, cents, spent(principal.userId(), period, now)));
            } catch (RuntimeException e) {
                LOG.warn(
                        "spend for user {} could not be read ({}); {}",
                        principal.userId(),
                        e.getMessage(),
                        settings.failClosed() ? "refusing" : "allowing");
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

    /**
     * What a person spent so far in the period, in nanodollars: the written usage (the same daily rollups
     * the usage report sums, so both agree to the nanodollar) plus what is priced but not yet written. The written part is cached per person and reread when any instance writes that
     * person's usage (a version counter, shared through Redis when there is one) or after {@code maxAge}.
     */
    public long spent(String userId, Period period, Instant now) {
        Calendar days = calendar(now);
        long version = version(userId);
        Written written = writtenByUser.get(userId);
        if (written == null
                || version == UNKNOWN
                || written.version() != version
                || !written.calendar().equals(days)
                || System.nanoTime() - written.loadedNanos() > maxAgeNanos) {
            written = load(userId, version, days);
            writtenByUser.put(userId, written);
        }
        long total = written.byPeriod()[period.ordinal()] + pending(userId);
        return total < 0 ? Long.MAX_VALUE : total;
    }

    /** A priced request's record is on its way to the database: its cost counts from now, on every instance. */
    public void queued(String userId, long costNanos) {
        if (costNanos <= 0 || limits.isEmpty()) return; // no limit to check it against: spare the hot path the counter
        try {
            counters.addEach(new String[] {PENDING + userId}, new long[] {costNanos}, PENDING_TTL);
        } catch (RuntimeException e) {
            LOG.warn("queued spend could not be counted ({}); it counts once written", e.getMessage());
        }
    }

    /**
     * Usage of these people was just written (with the cost it carried): their cached spend is stale here
     * and, through the version counters, on every other instance; what was queued is no longer pending.
     */
    public void written(Map<String, Long> costByUser) {
        if (costByUser.isEmpty()) return;
        String[] versions = new String[costByUser.size()];
        String[] pendingKeys = new String[costByUser.size()];
        long[] settled = new long[costByUser.size()];
        int i = 0;
        for (var entry : costByUser.entrySet()) {
            writtenByUser.remove(entry.getKey());
            versions[i] = VERSION + entry.getKey();
            pendingKeys[i] = PENDING + entry.getKey();
            settled[i++] = -entry.getValue();
        }
        try {
            // Version first: for a moment the cost counts twice rather than not at all.
            counters.add(versions, 1, VERSION_TTL);
            counters.addEach(pendingKeys, settled, PENDING_TTL);
        } catch (RuntimeException e) {
            LOG.warn(
                    "spend counters could not be updated ({}); other instances reread spend within {} ms",
                    e.getMessage(),
                    maxAgeNanos / 1_000_000);
        }
    }

    private long pending(String userId) {
        try {
            return Math.max(0, counters.get(PENDING + userId));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private long version(String userId) {
        try {
            return counters.get(VERSION + userId);
        } catch (RuntimeException e) {
            return UNKNOWN;
        }
    }

    private Written load(String userId, long version, Calendar days) {
        String earliest = days.starts()[0];
        long[] startDays = new long[days.starts().length];
        for (int p = 0; p < startDays.length; p++) {
            startDays[p] = LocalDate.parse(days.starts()[p]).toEpochDay();
            if (days.starts()[p].compareTo(earliest) < 0) earliest = days.starts()[p];
        }
        long[] byPeriod = new long[Period.values().length];
        for (long[] day : sql.list(
                "SELECT day, SUM(cost_nanos) FROM usage_daily WHERE user_id = ? AND day >= ? GROUP BY day",
                row -> new long[] {LocalDate.parse(row.getString(1)).toEpochDay(), row.getLong(2)},
                userId,
                earliest)) {
            for (Period period : Period.values()) {
                if (day[0] >= startDays[period.ordinal()]) {
                    long sum = byPeriod[period.ordinal()] + day[1];
                    byPeriod[period.ordinal()] = sum < 0 ? Long.MAX_VALUE : sum;
                }
            }
        }
        return new Written(version, days, System.nanoTime(), byPeriod);
    }

    /** One person's written spend for each period, as of a version of their usage. */
    private record Written(long version, Calendar calendar, long loadedNanos, long[] byPeriod) {}
}
