package dev.bsg.gateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** Budget alerts fired and their deliveries (V14). */
public final class AlertStore {
    private final Database database;
    private final Sql sql;

    public AlertStore(Database database) {
        this.database = database;
        this.sql = new Sql(database);
    }

    /** One threshold a person crossed in one period. */
    public record Alert(
            String userId, String period, String periodStart, int threshold, long limitCents, long spentNanos) {}

    /** A notification to send: {@code channel} is webhook, slack or email; {@code target} a URL or an address. */
    public record Delivery(String channel, String target, String subject, String payload) {}

    /** A delivery still to make, as stored. */
    public record Pending(String id, String channel, String target, String subject, String payload, int attempts) {}

    /**
     * Records every threshold in {@code crossed} not yet recorded, in one transaction with the deliveries that
     * {@code deliveries} makes for the highest of them; returns the thresholds this call recorded (empty when every
     * one had fired before, here or on another instance).
     */
    public List<Integer> fire(List<Alert> crossed, Function<Alert, List<Delivery>> deliveries, long now) {
        try (Connection connection = database.connection()) {
            connection.setAutoCommit(false);
            try {
                List<Integer> fired = new ArrayList<>();
                Alert highest = null;
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO budget_alerts (user_id, period, period_start, threshold, limit_cents, spent_nanos, at) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                    for (Alert alert : crossed) {
                        insert.setString(1, alert.userId());
                        insert.setString(2, alert.period());
                        insert.setString(3, alert.periodStart());
                        insert.setInt(4, alert.threshold());
                        insert.setLong(5, alert.limitCents());
                        insert.setLong(6, alert.spentNanos());
                        insert.setLong(7, now);
                        if (insert.executeUpdate() == 1) {
                            fired.add(alert.threshold());
                            if (highest == null || alert.threshold() > highest.threshold()) highest = alert;
                        }
                    }
                }
                if (highest != null) {
                    try (PreparedStatement add = connection.prepareStatement(
                            "INSERT INTO alert_deliveries (id, created_at, channel, target, subject, payload, attempts, "
                                    + "next_at, claim_until) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0)")) {
                        for (Delivery delivery : deliveries.apply(highest)) {
                            add.setString(
                                    1, "dlv_" + UUID.randomUUID().toString().replace("-", ""));
                            add.setLong(2, now);
                            add.setString(3, delivery.channel());
                            add.setString(4, Columns.fit(delivery.target(), 1000));
                            add.setString(5, Columns.fit(delivery.subject(), 400));
                            add.setString(6, delivery.payload());
                            add.setLong(7, now);
                            add.executeUpdate();
                        }
                    }
                }
                connection.commit();
                return fired;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Deliveries due now, oldest first. */
    public List<Pending> due(long now, int limit) {
        return sql.list(
                "SELECT id, channel, target, subject, payload, attempts FROM alert_deliveries "
                        + "WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= ? AND claim_until < ? "
                        + "ORDER BY next_at LIMIT ?",
                row -> new Pending(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5),
                        row.getInt(6)),
                now,
                now,
                limit);
    }

    /** Takes {@code id} for this instance until {@code until}; false when another instance has it or it is done. */
    public boolean claim(String id, long until, long now) {
        return sql.update(
                        "UPDATE alert_deliveries SET claim_until = ? WHERE id = ? AND claim_until < ? "
                                + "AND delivered_at IS NULL AND failed_at IS NULL",
                        until,
                        id,
                        now)
                == 1;
    }

    public void delivered(String id, long now) {
        sql.update(
                "UPDATE alert_deliveries SET delivered_at = ?, attempts = attempts + 1, claim_until = 0 WHERE id = ?",
                now,
                id);
    }

    /** A failed attempt: tried again at {@code nextAt}, or given up on (recorded with its error) when that is null. */
    public void attemptFailed(String id, String error, Long nextAt, long now) {
        String reason = Columns.fit(error, 2000);
        if (nextAt == null)
            sql.update(
                    "UPDATE alert_deliveries SET failed_at = ?, attempts = attempts + 1, last_error = ?, claim_until = 0 "
                            + "WHERE id = ?",
                    now,
                    reason,
                    id);
        else
            sql.update(
                    "UPDATE alert_deliveries SET next_at = ?, attempts = attempts + 1, last_error = ?, claim_until = 0 "
                            + "WHERE id = ?",
                    nextAt,
                    reason,
                    id);
    }
}
