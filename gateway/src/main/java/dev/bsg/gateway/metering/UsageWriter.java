package dev.bsg.gateway.metering;

import dev.bsg.gateway.core.DatabaseFailures;
import dev.bsg.gateway.store.Columns;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.StoreException;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage records off the hot path. Requests queue them (a full queue makes the request wait
 * rather than lose its record); one virtual thread writes them in batches, each batch with its daily
 * rollups in one transaction. While the database can't take them they go to the local journal, which
 * is replayed, oldest first, once it can. Closing drains the queue.
 */
public final class UsageWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageWriter.class);
    private static final int BATCH = 500;
    private static final long LINGER_MILLIS = 50;
    private static final long REPLAY_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final String INSERT = "INSERT INTO usage_records (" + UsageRecord.COLUMNS + ") VALUES ("
            + "?, ".repeat(26) + "?) ON CONFLICT (request_id) DO NOTHING";
    private static final String ROLLUP =
            "INSERT INTO usage_daily (day, user_id, user_email, team, project, model, region, door, requests, errors, "
                    + "input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cost_nanos) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, user_id, user_email, team, project, model, region, door) DO UPDATE SET "
                    + "requests = usage_daily.requests + excluded.requests, errors = usage_daily.errors + excluded.errors, "
                    + "input_tokens = usage_daily.input_tokens + excluded.input_tokens, output_tokens = usage_daily.output_tokens + excluded.output_tokens, "
                    + "cache_read_tokens = usage_daily.cache_read_tokens + excluded.cache_read_tokens, "
                    + "cache_write_5m_tokens = usage_daily.cache_write_5m_tokens + excluded.cache_write_5m_tokens, "
                    + "cache_write_1h_tokens = usage_daily.cache_write_1h_tokens + excluded.cache_write_1h_tokens, "
                    + "cost_nanos = usage_daily.cost_nanos + excluded.cost_nanos";
    private final Database database;
    private final UsageTags tags;
    private final UsageJournal journal;
    private final GatewayMetrics metrics;
    // Lock-free: requests never wait on each other to hand over a record, and the writer is never woken per record.
    private final ConcurrentLinkedQueue<UsageRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    private final Thread writer;
    private volatile boolean closing;
    private volatile SpendListener spend = new SpendListener() {};
    private volatile Consumer<UsageRecord> onWritten = record -> {};
    private volatile long journalBytes;
    private boolean journalPending;
    private long nextReplay;

    public UsageWriter(Database database, UsageTags tags, Path journalDirectory, int capacity, GatewayMetrics metrics) {
        this.database = database;
        this.tags = tags;
        this.journal = new UsageJournal(journalDirectory);
        this.metrics = metrics;
        this.capacity = capacity;
        this.journalBytes = journal.size();
        this.journalPending = journalBytes > 0;
        metrics.gauge("bsg.usage.queue.depth", "Usage records waiting to be written", queued::get);
        metrics.gauge(
                "bsg.usage.journal.bytes",
                "Usage records waiting in the local journal for the database, in bytes",
                () -> journalBytes);
        this.writer = Thread.ofVirtual().name("usage-writer").start(this::run);
    }

    /** Queues a record; while the queue is full the caller waits (back-pressure), the record is never dropped. */
    public void submit(UsageRecord record) {
        while (queued.get() >= capacity && !closing) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (record.userId() != null) {
            try {
                spend.queued(record.userId(), record.costNanos());
            } catch (RuntimeException e) {
                LOG.warn("queued spend could not be announced ({})", e.toString());
            }
        }
        queued.incrementAndGet();
        queue.add(record);
    }

    /** Who is told about spend on its way to the database and spend written (the spend limits, so they count both). */
    public interface SpendListener {
        default void queued(String userId, long costNanos) {}

        /** Usage written for these people, with the cost each record carried. */
        default void written(Map<String, Long> costByUser) {}
    }

    public void spendListener(SpendListener listener) {
        this.spend = listener;
    }

    /** Told of each record once it is in the database, team and project settled (the OTLP usage metrics). */
    public void onWritten(Consumer<UsageRecord> listener) {
        this.onWritten = listener;
    }

    private void settled(List<UsageRecord> records) {
        Map<String, Long> costByUser = new HashMap<>();
        for (UsageRecord record : records) {
            if (record.userId() != null)
                costByUser.merge(record.userId(), Math.max(0, record.costNanos()), UsageWriter::saturatedAdd);
        }
        if (costByUser.isEmpty()) return;
        try {
            spend.written(costByUser);
        } catch (RuntimeException e) {
            LOG.warn("could not announce written usage ({})", e.toString());
        }
    }

    public int pending() {
        return queued.get();
    }

    /** Records waiting in the local journal, in bytes; 0 when the database has everything. */
    public long journalBytes() {
        return journalBytes;
    }

    private void run() {
        List<UsageRecord> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                if (journalPending && System.nanoTime() - nextReplay >= 0) replay();
                boolean last = closing; // read before draining, so nothing queued before close is left behind
                drainInto(batch);
                if (batch.isEmpty()) {
                    if (last) break;
                    Thread.sleep(LINGER_MILLIS);
                    continue;
                }
                // Linger once for a fuller batch: one transaction for many records costs far less than many small ones.
                if (batch.size() < BATCH && !last) {
                    Thread.sleep(LINGER_MILLIS);
                    drainInto(batch);
                }
                store(batch);
                batch.clear();
            } catch (InterruptedException e) {
                if (!closing) return;
            } catch (RuntimeException e) {
                // The writer must outlive anything one batch or one replay throws: requests wait on its queue.
                LOG.error("usage writer: unexpected failure ({}); going on", e.toString());
                pause();
            }
        }
        if (journalPending) replay();
        journal.closeOpen();
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainInto(List<UsageRecord> batch) {
        UsageRecord record;
        while (batch.size() < BATCH && (record = queue.poll()) != null) {
            queued.decrementAndGet();
            batch.add(record);
        }
    }

    /** To the database when it is up and nothing older waits in the journal; else to the journal. */
    private void store(List<UsageRecord> batch) throws InterruptedException {
        while (true) {
            if (!journalPending) {
                try {
                    write(batch);
                    settled(batch);
                    return;
                } catch (SQLException e) {
                    LOG.warn(
                            "the database can't take usage records ({} {}); keeping them in the local journal until it can",
                            e.getClass().getSimpleName(),
                            e.getSQLState());
                    nextReplay = System.nanoTime() + REPLAY_EVERY_NANOS;
                }
            }
            try {
                journal.append(batch);
                journalPending = true;
                journalBytes = journal.size();
                return;
            } catch (IOException e) {
                // Neither place takes them: hold the batch (and so, through the full queue, the requests) and try
                // again.
                LOG.error(
                        "usage records can be written neither to the database nor to the journal ({}); retrying",
                        e.getMessage());
                Thread.sleep(1000);
                journalPending = false;
            }
        }
    }

    private void replay() {
        try {
            for (Path file : journal.files()) {
                List<UsageRecord> records = UsageJournal.read(file);
                for (int from = 0; from < records.size(); from += BATCH)
                    write(records.subList(from, Math.min(records.size(), from + BATCH)));
                journal.delete(file);
                settled(records);
                LOG.info("replayed {} usage records from the local journal", records.size());
            }
            journalPending = false;
        } catch (SQLException | IOException e) {
            nextReplay = System.nanoTime() + REPLAY_EVERY_NANOS;
        }
        journalBytes = journal.size();
    }

    /**
     * Writes a batch; when the database refuses it while still answering, the records are written one by
     * one and each one it refuses goes to the dead letters, so a poison record never blocks the others.
     */
    private void write(List<UsageRecord> batch) throws SQLException {
        try {
            writeBatch(batch);
        } catch (SQLException e) {
            if (passing(e) || !database.isHealthy()) throw e;
            if (batch.size() == 1) {
                deadLetter(batch.get(0), e);
                return;
            }
            for (UsageRecord record : batch) write(List.of(record));
        }
    }

    /** A failure that says nothing about the records: the connection, resources, a conflict between transactions, a busy SQLite. */
    private static boolean passing(SQLException e) {
        if (e instanceof TagsUnavailable || DatabaseFailures.unreachable(e)) return true;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = String.valueOf(e.getMessage());
        return state.startsWith("40")
                || state.startsWith("53")
                || state.startsWith("57")
                || message.contains("SQLITE_BUSY")
                || message.contains("SQLITE_LOCKED")
                || message.contains("SQLITE_IOERR");
    }

    private static final class TagsUnavailable extends SQLException {
        TagsUnavailable(RuntimeException cause) {
            super("usage tags could not be read: " + cause.getMessage(), cause);
        }
    }

    private void deadLetter(UsageRecord record, SQLException reason) {
        metrics.usageDeadLetter();
        String why = reason.getClass().getSimpleName() + " " + reason.getSQLState() + ": " + reason.getMessage();
        // Ids only in the log: the record holds e-mail addresses and session ids.
        LOG.error(
                "the database refused usage record {} ({}); kept in usage_dead_letters",
                record.requestId(),
                reason.getSQLState());
        try {
            String json = Json.MAPPER.writeValueAsString(record);
            try (Connection connection = database.connection();
                    PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO usage_dead_letters (id, at, request_id, reason, record) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, "dl_" + UUID.randomUUID().toString().replace("-", ""));
                insert.setLong(2, System.currentTimeMillis());
                insert.setString(3, Columns.fit(record.requestId(), 64));
                insert.setString(4, Columns.fit(why, 2000));
                insert.setString(5, json);
                insert.executeUpdate();
            } catch (SQLException e) {
                journal.deadLetter(json, why);
            }
        } catch (IOException e) {
            LOG.error(
                    "usage record {} could be kept neither in the database nor on disk ({})",
                    record.requestId(),
                    e.getMessage());
        }
    }

    /** Each key's latest use in the batch onto {@code api_keys.last_used_at}, in id order (no deadlock between instances). */
    private static void markKeysUsed(Connection connection, List<UsageRecord> records, int[] counts)
            throws SQLException {
        Map<String, Long> latest = new TreeMap<>();
        for (int i = 0; i < records.size(); i++) {
            UsageRecord r = records.get(i);
            if (counts[i] != 0 && r.keyId() != null) latest.merge(r.keyId(), r.at(), Math::max);
        }
        if (latest.isEmpty()) return;
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
            for (Map.Entry<String, Long> key : latest.entrySet()) {
                update.setLong(1, key.getValue());
                update.setString(2, key.getKey());
                update.setLong(3, key.getValue());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private void writeBatch(List<UsageRecord> batch) throws SQLException {
        long started = System.nanoTime();
        List<UsageRecord> tagged = new ArrayList<>(batch.size());
        try {
            for (UsageRecord record : batch) tagged.add(tags.settle(record).bounded());
        } catch (RuntimeException e) {
            // The writer must outlive any one failure: treated like a database error, the batch goes to the journal.
            throw new TagsUnavailable(e);
        }
        try (Connection connection = database.connection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT);
                    PreparedStatement rollup = connection.prepareStatement(ROLLUP)) {
                for (UsageRecord record : tagged) {
                    Object[] values = record.columns();
                    for (int i = 0; i < values.length; i++) insert.setObject(i + 1, values[i]);
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                // Only records inserted now are added to the rollups: a replayed record the table already holds adds
                // nothing.
                Map<List<String>, long[]> days = new LinkedHashMap<>();
                for (int i = 0; i < tagged.size(); i++) {
                    if (counts[i] == 0) continue;
                    UsageRecord r = tagged.get(i);
                    long[] sums = days.computeIfAbsent(rollupKey(r), k -> new long[8]);
                    sums[0]++;
                    if (r.status() >= 400) sums[1]++;
                    long[] values = {
                        r.inputTokens(),
                        r.outputTokens(),
                        r.cacheReadTokens(),
                        r.cacheWrite5mTokens(),
                        r.cacheWrite1hTokens(),
                        r.costNanos()
                    };
                    for (int v = 0; v < values.length; v++) sums[2 + v] = saturatedAdd(sums[2 + v], values[v]);
                }
                for (Map.Entry<List<String>, long[]> day : days.entrySet()) {
                    int column = 1;
                    for (String key : day.getKey()) rollup.setString(column++, key);
                    for (long sum : day.getValue()) rollup.setLong(column++, sum);
                    rollup.addBatch();
                }
                if (!days.isEmpty()) rollup.executeBatch();
                markKeysUsed(connection, tagged, counts);
                connection.commit();
                for (int i = 0; i < tagged.size(); i++) {
                    if (counts[i] == 0) continue;
                    UsageRecord r = tagged.get(i);
                    metrics.usage(
                            r.model(),
                            r.region(),
                            r.team(),
                            r.inputTokens(),
                            r.outputTokens(),
                            r.cacheReadTokens(),
                            r.cacheWrite5mTokens() + r.cacheWrite1hTokens(),
                            r.costNanos());
                    try {
                        onWritten.accept(r);
                    } catch (RuntimeException e) {
                        LOG.warn("a usage listener failed ({})", e.toString());
                    }
                }
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
        metrics.usageWrite(System.nanoTime() - started);
    }

    /** Deletes raw records older than the retention; the daily rollups keep their totals. */
    public int prune(int retentionDays) {
        try (Connection connection = database.connection();
                PreparedStatement delete = connection.prepareStatement("DELETE FROM usage_records WHERE at < ?")) {
            delete.setLong(1, System.currentTimeMillis() - retentionDays * 86_400_000L);
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }

    static String day(long at) {
        return Instant.ofEpochMilli(at).atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static List<String> rollupKey(UsageRecord r) {
        return List.of(
                day(r.at()),
                orEmpty(r.userId()),
                orEmpty(r.userEmail()),
                orEmpty(r.team()),
                orEmpty(r.project()),
                orEmpty(r.model()),
                orEmpty(r.region()),
                r.door());
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** Writes what is queued (to the journal if the database is down), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
