package dev.bsg.gateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Claude Code's telemetry summed per person and day (V15). */
public final class ProductivityStore {
    /** The measures, in the table's column order. */
    public static final List<String> MEASURES = List.of(
            "sessions",
            "active_ms",
            "lines_added",
            "lines_removed",
            "commits",
            "pull_requests",
            "edits_accepted",
            "edits_rejected",
            "cost_micros");

    private static final String UPSERT = "INSERT INTO productivity_daily (day, user_id, user_email, "
            + String.join(", ", MEASURES) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (day, user_id) DO UPDATE SET user_email = excluded.user_email, "
            + String.join(
                    ", ",
                    MEASURES.stream()
                            .map(m -> m + " = productivity_daily." + m + " + excluded." + m)
                            .toList());

    private final Database database;
    private final Sql sql;

    public ProductivityStore(Database database) {
        this.database = database;
        this.sql = new Sql(database);
    }

    public record Key(String day, String userId, String email) {}

    /** Adds each person-day's amounts (one per measure) in one transaction. */
    public void add(Map<Key, long[]> amounts) {
        if (amounts.isEmpty()) return;
        try (Connection connection = database.connection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
                for (Map.Entry<Key, long[]> each : amounts.entrySet()) {
                    upsert.setString(1, each.getKey().day());
                    upsert.setString(2, each.getKey().userId());
                    upsert.setString(3, Columns.fit(each.getKey().email(), 320));
                    for (int i = 0; i < MEASURES.size(); i++) upsert.setLong(4 + i, each.getValue()[i]);
                    upsert.addBatch();
                }
                upsert.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** One person's (or one day's) totals over a range of days. */
    public record Row(String group, String userId, long[] totals) {}

    /**
     * Totals per person ({@code byDay} false) or per day, for days from {@code from} up to {@code to} (exclusive), of
     * one person ({@code userId}) or everyone (null).
     */
    public List<Row> totals(String from, String to, boolean byDay, String userId) {
        String sums =
                String.join(", ", MEASURES.stream().map(m -> "SUM(" + m + ")").toList());
        String who = userId == null ? "" : " AND user_id = ?";
        Object[] params = userId == null ? new Object[] {from, to} : new Object[] {from, to, userId};
        return sql.list(
                (byDay
                        ? "SELECT day, '', " + sums + " FROM productivity_daily WHERE day >= ? AND day < ?" + who
                                + " GROUP BY day ORDER BY day"
                        : "SELECT MAX(user_email), user_id, " + sums + " FROM productivity_daily "
                                + "WHERE day >= ? AND day < ?" + who + " GROUP BY user_id ORDER BY 1"),
                row -> {
                    long[] totals = new long[MEASURES.size()];
                    for (int i = 0; i < totals.length; i++) totals[i] = row.getLong(3 + i);
                    return new Row(row.getString(1), row.getString(2), totals);
                },
                params);
    }

    /** Gateway-metered requests and cost (nanodollars) per person or per day over the same days, from usage_daily. */
    public Map<String, long[]> spend(String from, String to, boolean byDay) {
        Map<String, long[]> out = new HashMap<>();
        String group = byDay ? "day" : "user_id";
        sql.list(
                "SELECT " + group + ", SUM(requests), SUM(cost_nanos) FROM usage_daily WHERE day >= ? AND day < ? "
                        + "GROUP BY " + group,
                row -> out.put(row.getString(1), new long[] {row.getLong(2), row.getLong(3)}),
                from,
                to);
        return out;
    }
}
