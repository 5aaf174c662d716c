package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bsg.gateway.CuttableProxy;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Usage records survive a database outage: kept in the local journal, replayed once when it returns, never doubled. */
class DatabaseOutageTest {
    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void trafficThroughAnOutageIsAllRecordedExactlyOnce() throws Exception {
        try (TestDatabase database = TestDatabase.postgres()) {
            URI direct = URI.create(database.url().substring("jdbc:".length()));
            try (CuttableProxy proxy = new CuttableProxy(direct.getHost(), direct.getPort())) {
                String throughProxy = database.url().replace(":" + direct.getPort() + "/", ":" + proxy.port() + "/");
                TestGateway gw = TestGateway.start(throughProxy, Map.of());
                int sent = 0;
                long journalSeen = 0;
                try {
                    String key = gw.newUserKey("outage@example.com");
                    for (int i = 0; i < 60; i++) {
                        if (i == 15) proxy.cut();
                        if (i == 45) proxy.restore();
                        HttpResponse<String> response = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
                        assertThat(response.statusCode())
                                .as("inference goes on while the database is down (request %d)", i)
                                .isEqualTo(200);
                        sent++;
                        journalSeen =
                                Math.max(journalSeen, gw.gateway.usageWriter().journalBytes());
                        Thread.sleep(i >= 15 && i < 45 ? 150 : 10);
                    }
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> gw.gateway.usageWriter().journalBytes() == 0
                                    && gw.gateway.usageWriter().pending() == 0);
                    assertThat(journalSeen)
                            .as("records went to the journal during the outage")
                            .isPositive();
                    assertThat(gw.gateway.usageWriter().journalBytes())
                            .as("and it was replayed")
                            .isZero();
                } finally {
                    gw.close();
                }
                try (Database db = new Database(new Settings.Database(database.url(), null, null, 2))) {
                    Sql sql = new Sql(db);
                    long records = sql.one(
                                    "SELECT COUNT(*) FROM usage_records WHERE user_email = ?",
                                    r -> r.getLong(1),
                                    "outage@example.com")
                            .orElseThrow();
                    long distinct = sql.one(
                                    "SELECT COUNT(DISTINCT request_id) FROM usage_records WHERE user_email = ?",
                                    r -> r.getLong(1),
                                    "outage@example.com")
                            .orElseThrow();
                    long rolledUp = sql.one(
                                    "SELECT SUM(requests) FROM usage_daily WHERE user_email = ?",
                                    r -> r.getLong(1),
                                    "outage@example.com")
                            .orElseThrow();
                    assertThat(records).isEqualTo(sent);
                    assertThat(distinct).isEqualTo(sent);
                    assertThat(rolledUp)
                            .as("the daily totals count each record once")
                            .isEqualTo(sent);
                }
            }
        }
    }

    @Test
    void periodicTasksRunAgainAfterAnOutageAndALimitSetMeanwhileIsEnforced() throws Exception {
        behindCuttableDatabase((gw, proxy, database) -> {
            String key = gw.newUserKey("after-outage@example.com");
            assertThat(gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key)
                            .statusCode())
                    .isEqualTo(200);
            proxy.cut();
            Thread.sleep(8_000); // each task meets the outage at least once
            proxy.restore();
            long restored = System.currentTimeMillis();
            // Another instance sets a limit of zero for this person, straight into the database (no Redis to tell us).
            try (Database db = new Database(new Settings.Database(database.url(), null, null, 2))) {
                new Sql(db)
                        .update(
                                "INSERT INTO spend_limits (id, scope_type, scope_value, period, amount_cents, created_at, updated_at) "
                                        + "VALUES ('spl_elsewhere', 'user', 'after-outage@example.com', 'monthly', 0, ?, ?)",
                                restored,
                                restored);
            }
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> gw.gateway
                                            .backgroundTasks()
                                            .get("spend-limits-reload")
                                            .lastSuccessMillis()
                                    > restored
                            && gw.gateway
                                            .backgroundTasks()
                                            .get("revoked-tokens-reload")
                                            .lastSuccessMillis()
                                    > restored);
            var status = gw.gateway.backgroundTasks();
            for (String task : List.of("spend-limits-reload", "revoked-tokens-reload")) {
                assertThat(status.get(task).failed())
                        .as("%s failed during the outage", task)
                        .isPositive();
                assertThat(status.get(task).lastSuccessMillis())
                        .as("%s runs again after it", task)
                        .isGreaterThan(restored);
            }
            // The slow ones (every 30 s, every hour) are run once now, as at their turn: they work again too.
            gw.gateway.runBackgroundTasksNow();
            status = gw.gateway.backgroundTasks();
            for (String task :
                    List.of("prices-refresh", "usage-prune", "spend-limits-reload", "revoked-tokens-reload")) {
                assertThat(status.get(task).lastSuccessMillis())
                        .as("%s works after the outage", task)
                        .isGreaterThan(restored);
            }
            HttpResponse<String> refused = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
            assertThat(refused.statusCode())
                    .as("the limit set elsewhere holds here")
                    .isEqualTo(429);
            assertThat(refused.body()).contains("spend limit reached");
        });
    }

    @Test
    void aKeyNotYetCachedDuringAnOutageGetsAFast503WithRetryAfter() throws Exception {
        behindCuttableDatabase((gw, proxy, database) -> {
            String key = gw.newUserKey("uncached@example.com"); // never used, so not in the key cache
            proxy.cut();
            HttpResponse<String> first = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
            assertThat(first.headers().firstValue("retry-after")).isPresent();
            assertThat(first.body())
                    .contains("\"type\":\"error\"")
                    .contains("database is unavailable")
                    .doesNotContain("java.");
            long started = System.nanoTime();
            HttpResponse<String> bedrock = gw.send(
                    "POST",
                    "/bedrock/model/us.anthropic.claude-sonnet-4-6/invoke",
                    "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8,\"messages\":[]}",
                    "Authorization",
                    "Bearer " + key);
            assertThat(System.nanoTime() - started)
                    .as("answered at once, not after the pool's timeout")
                    .isLessThan(1_500_000_000L);
            assertThat(bedrock.statusCode()).isEqualTo(503);
            assertThat(bedrock.headers().firstValue("x-amzn-errortype").orElse(""))
                    .startsWith("ServiceUnavailableException");
            proxy.restore();
            int status = 0;
            for (int i = 0; i < 50 && status != 200; i++) {
                Thread.sleep(200);
                status = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key)
                        .statusCode();
            }
            assertThat(status).as("served again once the database is back").isEqualTo(200);
        });
    }

    @Test
    void aReplayRunTwiceOrOverlappingWhatTheDatabaseHasCountsEachRecordOnce() throws Exception {
        Path dir = Files.createTempDirectory("bsg-replay");
        try (TestDatabase database = TestDatabase.sqlite();
                Database db = new Database(new Settings.Database(database.url(), null, null, 2))) {
            Sql sql = new Sql(db);
            UsageRecord landed = record("req-1");
            UsageRecord waiting = record("req-2");
            try (UsageWriter writer = new UsageWriter(db, new UsageTags(sql), dir, 100, new GatewayMetrics())) {
                writer.submit(landed);
            }
            // A journal that holds both: as if the first had been written just as the connection failed.
            UsageJournal journal = new UsageJournal(dir);
            journal.append(List.of(landed, waiting));
            journal.closeOpen();
            Files.copy(journal.files().get(0), dir.resolve("usage-9999999999999-copy.jsonl"));
            try (UsageWriter writer = new UsageWriter(db, new UsageTags(sql), dir, 100, new GatewayMetrics())) {
                await().atMost(Duration.ofSeconds(5)).until(() -> writer.journalBytes() == 0);
                assertThat(writer.journalBytes()).isZero();
            }
            assertThat(sql.list("SELECT request_id FROM usage_records ORDER BY request_id", r -> r.getString(1)))
                    .containsExactly("req-1", "req-2");
            assertThat(sql.one("SELECT SUM(requests) FROM usage_daily", r -> r.getLong(1))
                            .orElseThrow())
                    .isEqualTo(2);
            assertThat(sql.one("SELECT SUM(cost_nanos) FROM usage_daily", r -> r.getLong(1))
                            .orElseThrow())
                    .isEqualTo(2 * 1234L);
        }
    }

    interface DuringAnOutage {
        void run(TestGateway gw, CuttableProxy proxy, TestDatabase database) throws Exception;
    }

    /** A gateway whose PostgreSQL is reached through a proxy the test can cut. */
    static void behindCuttableDatabase(DuringAnOutage test) throws Exception {
        try (TestDatabase database = TestDatabase.postgres()) {
            URI direct = URI.create(database.url().substring("jdbc:".length()));
            try (CuttableProxy proxy = new CuttableProxy(direct.getHost(), direct.getPort());
                    TestGateway gw = TestGateway.start(
                            database.url().replace(":" + direct.getPort() + "/", ":" + proxy.port() + "/"), Map.of())) {
                test.run(gw, proxy, database);
            }
        }
    }

    static UsageRecord record(String requestId) {
        return new UsageRecord(
                System.currentTimeMillis(),
                requestId,
                null,
                "replay@example.com",
                null,
                "",
                null,
                null,
                "anthropic",
                "invoke",
                "claude-sonnet-4-5",
                "claude-sonnet-4-5-20250929",
                "us-east-1",
                10,
                20,
                0,
                0,
                0,
                1234,
                "prices-test",
                null,
                null,
                200,
                null,
                5,
                3L,
                false);
    }
}
