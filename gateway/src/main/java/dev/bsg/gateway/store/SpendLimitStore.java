package dev.bsg.gateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Spend limits: one per scope and period; creating one for a scope and period that has one replaces its amount. */
public final class SpendLimitStore {
    /** {@code amountCents} null means explicitly unlimited; {@code scopeValue} is '' for the organisation. */
    public record SpendLimit(
            String id,
            String scopeType,
            String scopeValue,
            String period,
            Long amountCents,
            long createdAt,
            long updatedAt,
            String alertThresholds) {
        /** The percentages this limit alerts at; {@code defaults} when it sets none of its own. */
        public List<Integer> thresholds(List<Integer> defaults) {
            if (alertThresholds == null) return defaults;
            if (alertThresholds.isEmpty()) return List.of();
            return Arrays.stream(alertThresholds.split(","))
                    .map(Integer::valueOf)
                    .sorted()
                    .toList();
        }
    }

    private static final String COLUMNS =
            "id, scope_type, scope_value, period, amount_cents, created_at, updated_at, alert_thresholds";
    private final Sql sql;

    public SpendLimitStore(Sql sql) {
        this.sql = sql;
    }

    /** For {@link #upsert}: the limit alerts at the gateway's configured thresholds. */
    public static final String DEFAULT_THRESHOLDS = "default";

    /**
     * Creates or replaces the limit for a scope and period. {@code alerts}: its own alert percentages,
     * comma-separated ("" for none), {@link #DEFAULT_THRESHOLDS}, or null to keep what an existing limit had (the
     * defaults for a new one).
     */
    public SpendLimit upsert(String scopeType, String scopeValue, String period, Long amountCents, String alerts) {
        long now = System.currentTimeMillis();
        String stored = DEFAULT_THRESHOLDS.equals(alerts) ? null : alerts;
        Optional<SpendLimit> existing = sql.one(
                "SELECT " + COLUMNS + " FROM spend_limits WHERE scope_type = ? AND scope_value = ? AND period = ?",
                SpendLimitStore::map,
                scopeType,
                scopeValue,
                period);
        if (existing.isPresent()) {
            sql.update(
                    "UPDATE spend_limits SET amount_cents = ?, updated_at = ?, alert_thresholds = ? WHERE id = ?",
                    amountCents,
                    now,
                    alerts == null ? existing.get().alertThresholds() : stored,
                    existing.get().id());
            return byId(existing.get().id()).orElseThrow();
        }
        String id = "spl_" + UUID.randomUUID().toString().replace("-", "");
        sql.update(
                "INSERT INTO spend_limits (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                scopeType,
                scopeValue,
                period,
                amountCents,
                now,
                now,
                stored);
        return byId(id).orElseThrow();
    }

    public Optional<SpendLimit> byId(String id) {
        return sql.one("SELECT " + COLUMNS + " FROM spend_limits WHERE id = ?", SpendLimitStore::map, id);
    }

    public List<SpendLimit> all() {
        return sql.list("SELECT " + COLUMNS + " FROM spend_limits ORDER BY id", SpendLimitStore::map);
    }

    public boolean delete(String id) {
        return sql.update("DELETE FROM spend_limits WHERE id = ?", id) > 0;
    }

    private static SpendLimit map(ResultSet row) throws SQLException {
        return new SpendLimit(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                Sql.nullableLong(row, "amount_cents"),
                row.getLong(6),
                row.getLong(7),
                row.getString(8));
    }
}
