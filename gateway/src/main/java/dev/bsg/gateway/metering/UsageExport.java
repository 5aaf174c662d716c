package dev.bsg.gateway.metering;

import dev.bsg.gateway.metering.ParquetTable.Column;
import dev.bsg.gateway.metering.ParquetTable.Kind;
import dev.bsg.gateway.store.Leases;
import dev.bsg.gateway.store.Sql;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Usage records as Parquet files, Hive-partitioned by day ({@code dt=YYYY-MM-DD/usage-BATCH.parquet}), for Athena,
 * Trino, Spark or DuckDB (deploy/athena/usage.sql). Exactly once per record: each record is claimed by one batch in
 * the database before its files are written, a batch not marked finished is written again under the same names, and
 * one instance at a time exports (a lease).
 */
public final class UsageExport implements AutoCloseable {
    public static final String LEASE = "usage-export";
    private static final Duration LEASE_TTL = Duration.ofMinutes(10);
    private static final DateTimeFormatter BATCH_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The files' columns, in order; each reads the usage_records column of the same name unless noted. */
    static final List<Column> COLUMNS = List.of(
            new Column("request_id", Kind.STRING, false),
            new Column("at", Kind.TIMESTAMP_MILLIS, false),
            new Column("user_id", Kind.STRING, true),
            new Column("user_email", Kind.STRING, true),
            new Column("key_id", Kind.STRING, true),
            new Column("groups_csv", Kind.STRING, true),
            new Column("team", Kind.STRING, true),
            new Column("project", Kind.STRING, true),
            new Column("session_id", Kind.STRING, true),
            new Column("agent_id", Kind.STRING, true),
            new Column("door", Kind.STRING, false),
            new Column("operation", Kind.STRING, false),
            new Column("model_asked", Kind.STRING, true),
            new Column("model", Kind.STRING, true),
            new Column("region", Kind.STRING, true),
            new Column("input_tokens", Kind.INT64, false),
            new Column("output_tokens", Kind.INT64, false),
            new Column("cache_read_tokens", Kind.INT64, false),
            new Column("cache_write_5m_tokens", Kind.INT64, false),
            new Column("cache_write_1h_tokens", Kind.INT64, false),
            new Column("cost_nanos", Kind.INT64, false),
            // the same amount as an exact decimal, for queries in dollars
            new Column("cost_usd", Kind.USD_NANOS, false),
            new Column("price_version", Kind.STRING, true),
            new Column("status", Kind.INT32, false),
            new Column("error_type", Kind.STRING, true),
            new Column("latency_ms", Kind.INT64, false),
            new Column("ttfb_ms", Kind.INT64, true),
            new Column("client_aborted", Kind.BOOLEAN, false));

    private static final String SELECT =
            "SELECT request_id, at, user_id, user_email, key_id, groups_csv, team, project, "
                    + "session_id, agent_id, door, operation, model_asked, model, region, input_tokens, output_tokens, "
                    + "cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cost_nanos, cost_nanos AS cost_usd, "
                    + "price_version, status, error_type, latency_ms, ttfb_ms, client_aborted FROM usage_records "
                    + "WHERE export_batch = ? ORDER BY at, request_id";

    private final Sql sql;
    private final Leases leases;
    private final ExportTarget target;
    private final int batchRecords;
    private final String instance;
    private final Clock clock;
    private final LongConsumer exported;
    private final ParquetTable table = new ParquetTable(COLUMNS);

    /** {@code exported}: told how many records each finished batch held (a metric). */
    public UsageExport(
            Sql sql,
            Leases leases,
            ExportTarget target,
            int batchRecords,
            String instance,
            Clock clock,
            LongConsumer exported) {
        this.sql = sql;
        this.leases = leases;
        this.target = target;
        this.batchRecords = batchRecords;
        this.instance = instance;
        this.clock = clock;
        this.exported = exported;
    }

    /** What one run did; {@code busy} when another instance holds the export. */
    public record Run(boolean busy, int batches, long records, List<String> files) {}

    /** Exports every record not yet exported, batch by batch; safe to call from any instance at any time. */
    public Run run() {
        if (!leases.take(LEASE, instance, LEASE_TTL)) return new Run(true, 0, 0, List.of());
        int batches = 0;
        long records = 0;
        List<String> files = new ArrayList<>();
        try {
            Deque<String> pending = new ArrayDeque<>(sql.list(
                    "SELECT id FROM usage_exports WHERE finished_at IS NULL ORDER BY id", row -> row.getString(1)));
            for (String batch = next(pending); batch != null; batch = next(pending)) {
                Batch written = write(batch);
                batches++;
                records += written.records();
                files.addAll(written.files());
                if (!leases.take(LEASE, instance, LEASE_TTL)) break; // lapsed while writing: let its new holder go on
            }
        } finally {
            leases.release(LEASE, instance);
        }
        return new Run(false, batches, records, List.copyOf(files));
    }

    @Override
    public void close() {
        target.close();
    }

    /** A batch a crash left unfinished, else a new one. */
    private String next(Deque<String> pending) {
        return pending.isEmpty() ? claim() : pending.poll();
    }

    /** A new batch holding up to {@code batchRecords} unexported records, oldest first; null when none is left. */
    private String claim() {
        Instant now = clock.instant();
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        String id = BATCH_TIME.format(now) + "-" + HexFormat.of().formatHex(random);
        sql.update("INSERT INTO usage_exports (id, created_at, records) VALUES (?, ?, 0)", id, now.toEpochMilli());
        int claimed = sql.update(
                "UPDATE usage_records SET export_batch = ? WHERE export_batch IS NULL AND request_id IN "
                        + "(SELECT request_id FROM usage_records WHERE export_batch IS NULL ORDER BY at LIMIT ?)",
                id,
                batchRecords);
        if (claimed == 0) {
            sql.update("DELETE FROM usage_exports WHERE id = ?", id);
            return null;
        }
        return id;
    }

    private record Batch(long records, List<String> files) {}

    private Batch write(String batch) {
        Map<String, List<Object[]>> byDay = new TreeMap<>();
        for (Object[] row : sql.list(SELECT, UsageExport::row, batch)) {
            String day = Instant.ofEpochMilli((Long) row[1])
                    .atOffset(ZoneOffset.UTC)
                    .toLocalDate()
                    .toString();
            byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(row);
        }
        List<String> files = new ArrayList<>();
        long records = 0;
        for (Map.Entry<String, List<Object[]>> day : byDay.entrySet()) {
            String file = "dt=" + day.getKey() + "/usage-" + batch + ".parquet";
            target.put(file, table.write(day.getValue(), "bsg-gateway"));
            files.add(file);
            records += day.getValue().size();
        }
        String names = String.join(",", files);
        sql.update(
                "UPDATE usage_exports SET finished_at = ?, records = ?, files = ? WHERE id = ?",
                clock.millis(),
                records,
                names.length() > 4000 ? files.size() + " files" : names,
                batch);
        exported.accept(records);
        return new Batch(records, files);
    }

    private static Object[] row(ResultSet rows) throws SQLException {
        Object[] row = new Object[COLUMNS.size()];
        for (int i = 0; i < row.length; i++) {
            int column = i + 1;
            row[i] = switch (COLUMNS.get(i).kind()) {
                case STRING -> rows.getString(column);
                case INT32 -> rows.getInt(column);
                case BOOLEAN -> rows.getBoolean(column);
                case INT64, TIMESTAMP_MILLIS, USD_NANOS -> rows.getLong(column);
            };
            if (rows.wasNull()) row[i] = null;
        }
        return row;
    }
}
