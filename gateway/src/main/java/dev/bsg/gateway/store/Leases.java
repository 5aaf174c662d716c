package dev.bsg.gateway.store;

import java.time.Clock;
import java.time.Duration;

/**
 * Jobs meant for one instance at a time (the usage export): a lease row per job, taken when free or expired and
 * renewed by its holder. A holder that dies lets the lease lapse after its time to live.
 */
public final class Leases {
    private final Sql sql;
    private final Clock clock;

    public Leases(Sql sql, Clock clock) {
        this.sql = sql;
        this.clock = clock;
    }

    /** Takes or renews {@code name} for {@code holder}; false while another holder's lease is still running. */
    public boolean take(String name, String holder, Duration ttl) {
        long now = clock.millis();
        return sql.update(
                        "UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)",
                        holder,
                        now + ttl.toMillis(),
                        name,
                        holder,
                        now)
                == 1;
    }

    /** Lets {@code name} go at once, if {@code holder} still has it. */
    public void release(String name, String holder) {
        sql.update("UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?", name, holder);
    }
}
