package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Raw records past their retention are deleted; the daily rollups that reports over months read keep their totals. */
class UsageRetentionTest {
    @Test
    void pruningRawRecordsLeavesTheDailyTotals() throws Exception {
        try (TestDatabase database = TestDatabase.sqlite();
                Database db = new Database(new Settings.Database(database.url(), null, null, 2))) {
            Sql sql = new Sql(db);
            long tenDaysAgo = System.currentTimeMillis() - 10 * 86_400_000L;
            UsageRecord old = DatabaseOutageTest.record("req-old");
            old = new UsageRecord(
                    tenDaysAgo,
                    old.requestId(),
                    old.userId(),
                    old.userEmail(),
                    old.keyId(),
                    old.groupsCsv(),
                    old.sessionId(),
                    old.agentId(),
                    old.door(),
                    old.operation(),
                    old.modelAsked(),
                    old.model(),
                    old.region(),
                    old.inputTokens(),
                    old.outputTokens(),
                    old.cacheReadTokens(),
                    old.cacheWrite5mTokens(),
                    old.cacheWrite1hTokens(),
                    old.costNanos(),
                    old.priceVersion(),
                    old.team(),
                    old.project(),
                    old.status(),
                    old.errorType(),
                    old.latencyMs(),
                    old.ttfbMs(),
                    old.clientAborted());
            try (UsageWriter writer = new UsageWriter(
                    db, new UsageTags(sql), Files.createTempDirectory("bsg-journal"), 100, new GatewayMetrics())) {
                writer.submit(old);
                writer.submit(DatabaseOutageTest.record("req-new"));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> sql.one("SELECT COUNT(*) FROM usage_records", r -> r.getLong(1))
                                        .orElseThrow()
                                >= 2);
                assertThat(writer.prune(5)).isEqualTo(1);
            }
            assertThat(sql.list("SELECT request_id FROM usage_records", r -> r.getString(1)))
                    .containsExactly("req-new");
            assertThat(sql.list("SELECT day FROM usage_daily ORDER BY day", r -> r.getString(1)))
                    .containsExactly(UsageWriter.day(tenDaysAgo), UsageWriter.day(System.currentTimeMillis()));
            assertThat(sql.one("SELECT SUM(requests) FROM usage_daily", r -> r.getLong(1))
                            .orElseThrow())
                    .isEqualTo(2);
        }
    }
}
