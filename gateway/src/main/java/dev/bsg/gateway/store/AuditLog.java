package dev.bsg.gateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/** Every admin action, one row each: who, what, on what, outcome, from where. */
public final class AuditLog {
    private final Sql sql;

    public record Event(
            String id,
            long at,
            String actor,
            String action,
            String target,
            String outcome,
            String sourceIp,
            String detail) {}

    public AuditLog(Sql sql) {
        this.sql = sql;
    }

    public void record(String actor, String action, String target, String outcome, String sourceIp, String detail) {
        sql.update(
                "INSERT INTO audit_events (id, at, actor, action, target, outcome, source_ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "aud_" + UUID.randomUUID().toString().replace("-", ""),
                System.currentTimeMillis(),
                Columns.fit(actor == null ? "unknown" : actor, 320),
                Columns.fit(action, 100),
                Columns.fit(target, 400),
                Columns.fit(outcome, 40),
                Columns.fit(sourceIp, 64),
                Columns.fit(detail, 2000));
    }

    public List<Event> recent(int limit) {
        return sql.list(
                "SELECT id, at, actor, action, target, outcome, source_ip, detail FROM audit_events ORDER BY at DESC LIMIT ?",
                AuditLog::map,
                limit);
    }

    /** Newest first, of actions starting with a prefix, older than the event {@code afterId} when given. */
    public List<Event> recent(String actionPrefix, String afterId, int limit) {
        long before = afterId == null
                ? Long.MAX_VALUE
                : sql.one("SELECT at FROM audit_events WHERE id = ?", row -> row.getLong(1), afterId)
                        .orElse(Long.MAX_VALUE);
        return sql.list(
                "SELECT id, at, actor, action, target, outcome, source_ip, detail FROM audit_events WHERE action LIKE ? AND at < ? "
                        + "ORDER BY at DESC LIMIT ?",
                AuditLog::map,
                actionPrefix + "%",
                before,
                limit);
    }

    /**
     * Newest first: events by an actor (exact, or any when null), of actions starting with a prefix (any when null),
     * from {@code from} up to {@code to} (epoch ms).
     */
    public List<Event> search(String actor, String actionPrefix, long from, long to, int limit) {
        // LIKE's wildcards are taken out of the prefix: action names are dotted words.
        String prefix =
                (actionPrefix == null ? "" : actionPrefix.replace("%", "").replace("_", "")) + "%";
        String columns = "SELECT id, at, actor, action, target, outcome, source_ip, detail FROM audit_events ";
        if (actor == null)
            return sql.list(
                    columns + "WHERE action LIKE ? AND at >= ? AND at < ? ORDER BY at DESC LIMIT ?",
                    AuditLog::map,
                    prefix,
                    from,
                    to,
                    limit);
        return sql.list(
                columns + "WHERE actor = ? AND action LIKE ? AND at >= ? AND at < ? ORDER BY at DESC LIMIT ?",
                AuditLog::map,
                actor,
                prefix,
                from,
                to,
                limit);
    }

    private static Event map(ResultSet row) throws SQLException {
        return new Event(
                row.getString(1),
                row.getLong(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                row.getString(6),
                row.getString(7),
                row.getString(8));
    }
}
