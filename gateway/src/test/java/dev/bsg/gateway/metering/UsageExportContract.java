package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.translate.Json;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage exported as Parquet and queried by DuckDB agrees with /api/admin/usage to the nanodollar, and holds every
 * record exactly once through repeated runs, a crash between claiming and finishing a batch, and another instance
 * holding the export. Run on SQLite and PostgreSQL.
 */
@TestInstance(Lifecycle.PER_CLASS)
abstract class UsageExportContract {
    @TempDir
    static Path exportDir;

    TestDatabase database;
    TestGateway gw;
    Sql sql;

    abstract TestDatabase database();

    @BeforeAll
    void start() {
        database = database();
        gw = TestGateway.start(
                database.url(), Map.of("BSG_EXPORT__TO", exportDir.toString(), "BSG_EXPORT__BATCH_RECORDS", "100"));
        sql = new Sql(new Database(gw.gateway.settings().database()));
    }

    @AfterAll
    void stop() throws Exception {
        gw.close();
        database.close();
    }

    @Test
    void exportedFilesAgreeWithTheUsageReportAndHoldEachRecordOnce() throws Exception {
        String alice = gw.newUserKey("alice@example.com");
        String bob = gw.newUserKey("bj\u00f6rn+\"quoted\"@example.com");
        export(); // what the other tests left, so the figures below are this test's alone
        long before = count();
        send(alice, 130, "claude-sonnet-4-5");
        send(bob, 45, "claude-haiku-4-5");
        awaitRecords(before + 175);
        // Some of yesterday's and last week's traffic, so the export spans partitions.
        sql.update("UPDATE usage_records SET at = at - 86400000 WHERE request_id IN "
                + "(SELECT request_id FROM usage_records WHERE export_batch IS NULL ORDER BY request_id LIMIT 30)");
        sql.update("UPDATE usage_records SET at = at - 7 * 86400000 WHERE request_id IN "
                + "(SELECT request_id FROM usage_records WHERE export_batch IS NULL ORDER BY request_id DESC LIMIT 5)");

        JsonNode first = export();
        assertThat(first.get("records").asLong()).isEqualTo(175);
        assertThat(first.get("batches").asInt()).as("batch_records is 100").isEqualTo(2);
        assertThat(files())
                .allSatisfy(file -> assertThat(file.toString())
                        .matches(".*/dt=\\d{4}-\\d{2}-\\d{2}/usage-[0-9T]+Z-[0-9a-f]{8}\\.parquet"));
        assertAgreesWithReport(before + 175);

        assertThat(export().get("records").asLong())
                .as("nothing new, nothing exported")
                .isZero();
        send(alice, 3, "claude-sonnet-4-5");
        awaitRecords(before + 178);
        assertThat(export().get("records").asLong()).isEqualTo(3);
        assertAgreesWithReport(before + 178);
    }

    @Test
    void aBatchLeftUnfinishedByACrashIsWrittenAgainUnderTheSameNames() throws Exception {
        String carol = gw.newUserKey("carol@example.com");
        export();
        long total = count() + 4;
        send(carol, 4, "claude-sonnet-4-5");
        awaitRecords(total);
        JsonNode run = export();
        String file = run.get("files").get(0).asText();
        String batch = file.replaceAll(".*usage-(.*)\\.parquet", "$1");
        // As if the instance died after claiming the records and writing nothing.
        sql.update("UPDATE usage_exports SET finished_at = NULL WHERE id = ?", batch);
        Files.delete(exportDir.resolve(file));

        JsonNode again = export();
        assertThat(again.get("files")).extracting(JsonNode::asText).containsExactly(file);
        assertThat(exportDir.resolve(file)).exists();
        assertAgreesWithReport(total);
    }

    @Test
    void whileAnotherInstanceHoldsTheExportThisOneWritesNothing() throws Exception {
        String dave = gw.newUserKey("dave@example.com");
        export();
        long total = count() + 2;
        send(dave, 2, "claude-sonnet-4-5");
        awaitRecords(total);
        sql.update(
                "UPDATE leases SET holder = 'another-instance', expires_at = ? WHERE name = 'usage-export'",
                System.currentTimeMillis() + 60_000);
        JsonNode busy = export();
        assertThat(busy.get("busy").asBoolean()).isTrue();
        assertThat(busy.get("records").asLong()).isZero();

        // Its holder died: once the lease lapses this instance takes over.
        sql.update("UPDATE leases SET expires_at = ? WHERE name = 'usage-export'", System.currentTimeMillis() - 1);
        assertThat(export().get("records").asLong()).isEqualTo(2);
        assertAgreesWithReport(total);
    }

    private void send(String key, int count, String model) throws Exception {
        String body =
                "{\"model\":\"" + model + "\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        List<Future<Integer>> statuses = new ArrayList<>();
        try (var threads = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < count; i++) {
                statuses.add(threads.submit(
                        () -> gw.send("POST", "/v1/messages", body, "x-api-key", key, "x-bsg-project", "analytics")
                                .statusCode()));
            }
        }
        for (Future<Integer> status : statuses) assertThat(status.get()).isEqualTo(200);
    }

    private long count() {
        return sql.one("SELECT COUNT(*) FROM usage_records", r -> r.getLong(1)).orElseThrow();
    }

    /** Waits until every request sent has its record (they are written off the request path). */
    private void awaitRecords(long expected) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> count() == expected);
    }

    private JsonNode export() throws Exception {
        var response = gw.admin("POST", "/api/admin/usage/export", "");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> all = Files.walk(exportDir)) {
            return all.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }

    /** DuckDB's totals over every exported file, by user and model, equal the gateway's own report's. */
    private void assertAgreesWithReport(long records) throws Exception {
        Map<String, List<String>> exported = new TreeMap<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement query = duck.createStatement()) {
            String files = "read_parquet('" + exportDir + "/*/*.parquet', hive_partitioning = true)";
            try (ResultSet once = query.executeQuery(
                    "SELECT COUNT(*), COUNT(DISTINCT request_id), COUNT(*) FILTER (WHERE CAST(dt AS VARCHAR) <> "
                            + "strftime(timezone('UTC', \"at\"), '%Y-%m-%d')) FROM " + files)) {
                once.next();
                assertThat(once.getLong(1)).as("records exported").isEqualTo(records);
                assertThat(once.getLong(2)).as("each once").isEqualTo(records);
                assertThat(once.getLong(3))
                        .as("each in its own day's partition")
                        .isZero();
            }
            try (ResultSet rows = query.executeQuery("SELECT user_email, model, COUNT(*), SUM(input_tokens), "
                    + "SUM(output_tokens), SUM(cost_nanos), SUM(cost_usd) FROM " + files
                    + " GROUP BY ALL ORDER BY ALL")) {
                while (rows.next()) {
                    BigDecimal usd = rows.getBigDecimal(7);
                    assertThat(usd.movePointRight(9).longValueExact()).isEqualTo(rows.getLong(6));
                    exported.put(
                            rows.getString(1) + " " + rows.getString(2),
                            List.of(rows.getString(3), rows.getString(4), rows.getString(5), usd.toPlainString()));
                }
            }
        }
        Map<String, List<String>> reported = new TreeMap<>();
        JsonNode report = Json.MAPPER.readTree(
                gw.admin("GET", "/api/admin/usage?group_by=user,model", null).body());
        for (JsonNode row : report.get("data")) {
            reported.put(
                    row.get("user").asText() + " " + row.get("model").asText(),
                    List.of(
                            row.get("requests").asText(),
                            row.get("input_tokens").asText(),
                            row.get("output_tokens").asText(),
                            new BigDecimal(row.get("cost_usd").asText())
                                    .setScale(9)
                                    .toPlainString()));
        }
        assertThat(exported).isEqualTo(reported);
        assertThat(new ArrayList<>(reported.values())).isNotEmpty();
    }
}
