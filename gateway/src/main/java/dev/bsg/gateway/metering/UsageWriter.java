package dev.bsg.gateway.metering;

import dev.bsg.gateway.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage records off the hot path: requests queue them (a full queue makes the request wait
 * rather than lose its record), one virtual thread writes them in batches, and closing drains the queue.
 */
public final class UsageWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageWriter.class);
    private static final String INSERT = "INSERT INTO usage_records (at, request_id, user_id, user_email, key_id, groups_csv, session_id, agent_id, "
            + "door, operation, model_asked, model, region, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, "
            + "status, error_type, latency_ms, ttfb_ms, client_aborted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private final Database database;
    private final BlockingQueue<UsageRecord> queue;
    private final Thread writer;
    private volatile boolean closing;

    public UsageWriter(Database database, int capacity) {
        this.database = database;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofVirtual().name("usage-writer").start(this::run);
    }

    public void submit(UsageRecord record) {
        try {
            queue.put(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queue.offer(record);
        }
    }

    public int pending() {
        return queue.size();
    }

    private void run() {
        List<UsageRecord> batch = new ArrayList<>(500);
        while (!closing || !queue.isEmpty()) {
            try {
                UsageRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, 499);
                write(batch);
                batch.clear();
            } catch (InterruptedException e) {
                if (!closing) return;
            }
        }
    }

    private void write(List<UsageRecord> batch) {
        while (true) {
            try (Connection connection = database.connection(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
                connection.setAutoCommit(false);
                for (UsageRecord r : batch) {
                    Object[] values = {r.at(), r.requestId(), r.userId(), r.userEmail(), r.keyId(), r.groupsCsv(), r.sessionId(), r.agentId(),
                            r.door(), r.operation(), r.modelAsked(), r.model(), r.region(), r.inputTokens(), r.outputTokens(), r.cacheReadTokens(),
                            r.cacheWrite5mTokens(), r.cacheWrite1hTokens(), r.status(), r.errorType(), r.latencyMs(), r.ttfbMs(), r.clientAborted()};
                    for (int i = 0; i < values.length; i++) insert.setObject(i + 1, values[i]);
                    insert.addBatch();
                }
                try {
                    insert.executeBatch();
                    connection.commit();
                } catch (SQLException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
                return;
            } catch (SQLException e) {
                // Keep the batch and try again: a record is never dropped. (A local journal for long outages is still to come.)
                LOG.warn("usage records could not be written ({}); retrying", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    if (closing) return;
                }
            }
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
