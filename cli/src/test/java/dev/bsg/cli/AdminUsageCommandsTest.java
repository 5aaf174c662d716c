package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bsg.gateway.Gateway;
import dev.bsg.gateway.admin.ProductivityApi;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.simulator.BedrockSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bsg admin usage}, {@code prices} and {@code limits} against a real gateway with traffic from the simulator. */
class AdminUsageCommandsTest {
    static final String ADMIN = "cli-usage-admin-key-0123456789";
    static BedrockSimulator simulator;
    static Gateway gateway;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        simulator = BedrockSimulator.start();
        Path dir = Files.createTempDirectory("bsg-cli-usage");
        Map<String, String> env = new HashMap<>(simulator.gatewayEnvironment());
        env.putAll(Map.of(
                "BSG_SERVER__PORT",
                "0",
                "BSG_SERVER__MANAGEMENT_PORT",
                "0",
                "BSG_ADMIN__API_KEYS",
                ADMIN,
                "BSG_DATABASE__URL",
                "jdbc:sqlite:" + dir.resolve("t.db"),
                "BSG_METERING__JOURNAL_DIR",
                dir.resolve("journal").toString(),
                "BSG_EXPORT__TO",
                dir.resolve("export").toString()));
        gateway = new Gateway(SettingsLoader.load(null, env)).start();
        key = bsg("keys", "create", "--user", "usage@example.com").out().strip();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        simulator.close();
    }

    static CliRun bsg(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "admin";
        all[1] = "--url";
        all[2] = gateway.url();
        all[3] = "--token";
        all[4] = ADMIN;
        System.arraycopy(args, 0, all, 5, args.length);
        return CliRun.bsg(all);
    }

    static int ask() throws Exception {
        return ask(key);
    }

    static int ask(String key) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                                .header("anthropic-version", "2023-06-01")
                                .header("x-api-key", key)
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void usageByUserAndModelAsATableAndAsCsv() throws Exception {
        String own = bsg("keys", "create", "--user", "report@example.com").out().strip();
        for (int i = 0; i < 3; i++) assertThat(ask(own)).isEqualTo(200);
        CliRun table = await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> bsg("usage", "--period", "7d", "--by", "user,model", "--user", "report@example.com"),
                        run -> run.out().contains("report@example.com  claude-haiku-4-5-20251001  3 "));
        assertThat(table.exit()).isZero();
        assertThat(table.out())
                .startsWith("user")
                .contains("cost_usd")
                .contains("report@example.com  claude-haiku-4-5-20251001  3 ");
        CliRun csv = bsg("usage", "--period", "24h", "--by", "model", "--user", "report@example.com", "--csv");
        assertThat(csv.out().lines().findFirst().orElseThrow()).startsWith("model,requests,errors,");
        assertThat(csv.out()).contains("claude-haiku-4-5-20251001,3,0,");
        CliRun bad = bsg("usage", "--period", "a week");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("7d");
    }

    @Test
    void productivityBesideSpendAndAnExportOnDemand() throws Exception {
        String own = bsg("keys", "create", "--user", "maker@example.com").out().strip();
        assertThat(ask(own)).isEqualTo(200);
        String metrics = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":"
                + "\"claude_code.lines_of_code.count\",\"sum\":{\"aggregationTemporality\":1,\"dataPoints\":"
                + "[{\"attributes\":[{\"key\":\"type\",\"value\":{\"stringValue\":\"added\"}}],\"asInt\":\"42\"}]}},"
                + "{\"name\":\"claude_code.commit.count\",\"sum\":{\"aggregationTemporality\":1,\"dataPoints\":"
                + "[{\"asInt\":\"3\"}]}}]}]}]}";
        int status = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/metrics"))
                                .header("Content-Type", "application/json")
                                .header("x-api-key", own)
                                .POST(HttpRequest.BodyPublishers.ofString(metrics))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
        assertThat(status).isEqualTo(200);
        CliRun table = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            gateway.runBackgroundTasksNow();
                            return bsg("productivity", "--period", "7d");
                        },
                        run -> run.out().matches("(?s).*maker@example\\.com\\s+0\\s+0\\.00\\s+42\\s+0\\s+3\\s.*"));
        assertThat(table.exit()).isZero();
        assertThat(table.out()).startsWith("user").contains("lines_added").contains("cost_usd");
        // The end-user CLI carries no server code, so its copy of the columns is held to the API's here.
        assertThat(ProductivityCommand.MEASURES).isEqualTo(ProductivityApi.MEASURES);
        assertThat(bsg("productivity", "--by", "model").err()).contains("use user or day");

        assertThat(ask(own))
                .as("a record the scheduled run (run above) has not exported")
                .isEqualTo(200);
        CliRun export = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> bsg("export"),
                        run -> run.out().startsWith("exported ") && !run.out().startsWith("exported 0 "));
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.out()).containsPattern("dt=\\d{4}-\\d{2}-\\d{2}/usage-");
    }

    @Test
    void pricesShowAndImport() throws Exception {
        CliRun shown = bsg("prices", "show");
        assertThat(shown.out()).contains("claude-haiku-4-5-20251001").contains("cache_write_1h");
        Path csv = Files.createTempFile("prices", ".csv");
        Files.writeString(
                csv,
                bsg("prices", "show", "--csv")
                        .out()
                        .replace("claude-haiku-4-5-20251001,*,1,5,", "claude-haiku-4-5-20251001,*,1.5,5,"));
        CliRun imported = bsg("prices", "import", csv.toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).startsWith("prices prices-").contains("in force");
        assertThat(bsg("prices", "show").out()).contains("1.5");
        Files.writeString(csv, "model,input\n");
        CliRun refused = bsg("prices", "import", csv.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("line 1");
        assertThat(bsg("prices", "import", "/no/such/file.csv").err()).contains("prices show --csv");
    }

    @Test
    void spendLimitsSetListEffectiveAndDelete() throws Exception {
        CliRun alerting =
                bsg("limits", "set", "--group", "eng", "--period", "weekly", "--usd", "40", "--alert-at", "90,50");
        assertThat(alerting.exit()).as(alerting.err()).isZero();
        assertThat(alerting.out()).contains("group:eng weekly $40.00, alerts at 50,90 %");
        assertThat(bsg("limits", "set", "--group", "eng", "--period", "weekly", "--usd", "40", "--alert-at", "none")
                        .out())
                .contains("alerts at none");
        assertThat(bsg("limits", "set", "--group", "eng", "--period", "weekly", "--usd", "40", "--alert-at", "x")
                        .err())
                .contains("whole percentages");
        CliRun set = bsg("limits", "set", "--user", "usage@example.com", "--period", "monthly", "--usd", "0");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("user:usage@example.com monthly $0.00");
        assertThat(ask()).as("a zero limit stops the next request").isEqualTo(429);
        assertThat(bsg("limits", "list").out())
                .contains("user:usage@example.com")
                .contains("monthly")
                .contains("$0.00")
                .contains("limit_usd");
        CliRun effective = bsg("limits", "effective", "--period", "monthly");
        assertThat(effective.out())
                .contains("usage@example.com")
                .contains("user")
                .contains("spent_usd")
                .doesNotContain("period_to_date_spend");
        CliRun cents = bsg("limits", "set", "--org", "--period", "weekly", "--usd", "0.01");
        assertThat(cents.out()).contains("organization weekly $0.01");
        assertThat(bsg("limits", "list").out())
                .as("a cent shows as $0.01, not as amount 1")
                .contains("$0.01");
        assertThat(bsg("limits", "delete", cents.out().split(":")[0]).exit()).isZero();
        String id = set.out().split(":")[0];
        assertThat(bsg("limits", "delete", id).exit()).isZero();
        assertThat(ask()).isEqualTo(200);
        CliRun both = bsg("limits", "set", "--user", "a@example.com", "--org", "--period", "daily", "--usd", "1");
        assertThat(both.exit()).isNotZero();
        CliRun fraction = bsg("limits", "set", "--org", "--period", "daily", "--usd", "1.005");
        assertThat(fraction.exit()).isEqualTo(1);
        assertThat(fraction.err()).contains("at most cents");
    }
}
