package dev.bsg.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.Reply;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budget alerts through real peers: two gateway instances on one PostgreSQL, a webhook receiver that checks the
 * HMAC signature (and fails at first), a Slack-style receiver, a GreenMail SMTP server, and a webhook that is never
 * reachable. Each threshold is told exactly once, failures are retried then recorded, and no request waits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BudgetAlertsTest {
    private static final String SECRET = "webhook-secret-" + "0123456789abcdef";
    private static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    static Path dir;

    TestDatabase database;
    TestGateway a;
    TestGateway b;
    Database store;
    Sql sql;
    HttpServer receiver;
    GreenMail mail;
    final List<JsonNode> signed = new CopyOnWriteArrayList<>();
    final List<JsonNode> slack = new CopyOnWriteArrayList<>();
    final List<String> badSignatures = new CopyOnWriteArrayList<>();
    final AtomicInteger jsonFailuresLeft = new AtomicInteger(2);

    @BeforeAll
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/signed", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String header = exchange.getRequestHeaders().getFirst(AlertDelivery.SIGNATURE_HEADER);
            long seconds = Long.parseLong(header.replaceAll("^t=(\\d+),.*", "$1"));
            if (!AlertDelivery.signature(SECRET, seconds, body).equals(header)) badSignatures.add(header);
            int status = jsonFailuresLeft.getAndDecrement() > 0 ? 500 : 204;
            if (status == 204) signed.add(Json.MAPPER.readTree(body));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.createContext("/slack", exchange -> {
            slack.add(Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();

        String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                alerts:
                  webhooks:
                    - {url: %s/signed, format: json, secret: %s}
                    - {url: %s/slack, format: slack}
                    - {url: "http://127.0.0.1:9/never", format: slack}
                  max_attempts: 3
                  retry_delay_seconds: 0
                """.formatted(base, SECRET, base));
        Map<String, String> env = new HashMap<>();
        env.put("BSG_ALERTS__SMTP__HOST", "127.0.0.1");
        env.put("BSG_ALERTS__SMTP__PORT", String.valueOf(mail.getSmtp().getPort()));
        env.put("BSG_ALERTS__SMTP__FROM", "bsg@example.com");
        env.put("BSG_ALERTS__SMTP__STARTTLS", "false");
        env.put("BSG_ADMIN__EMAILS", "boss@example.com");
        database = TestDatabase.postgres();
        a = TestGateway.start(database.url(), env, config);
        b = TestGateway.start(database.url(), env, config);
        store = new Database(a.gateway.settings().database());
        sql = new Sql(store);
    }

    @AfterAll
    void stop() throws Exception {
        if (store != null) store.close();
        if (a != null) a.close();
        if (b != null) b.close();
        if (database != null) database.close();
        if (mail != null) mail.stop();
        if (receiver != null) receiver.stop(0);
    }

    @Test
    void eachThresholdIsToldOnceOnEveryChannelAndFailuresAreRetriedThenRecorded() throws Exception {
        String email = "spender@example.com";
        String key = a.newUserKey(email);
        var limit = monthlyLimit(email, "");
        assertThat(limit.statusCode()).as(limit.body()).isEqualTo(200);
        for (TestGateway gw : List.of(a, b))
            gw.simulator.defaultReply(Reply.text("priced").withCache(0, 56_789));

        // About 23 cents a request against a $1.00 limit: 50 % at the third, 80 % at the fourth, 100 % at the fifth.
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestGateway gw = i % 2 == 0 ? a : b;
            long start = System.nanoTime();
            var answer = gw.send("POST", "/v1/messages", MESSAGE, "x-api-key", key);
            millis.add((System.nanoTime() - start) / 1_000_000);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            awaitSpendWritten(i + 1);
            Thread.sleep(1500); // both instances' checks run (each second) before the next crossing
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> signed.size() >= 3 && slack.size() >= 3);
        assertThat(mail.waitForIncomingEmail(10_000, 6)).isTrue();
        Thread.sleep(3000); // anything doubled by the second instance would have arrived by now

        assertThat(badSignatures).isEmpty();
        // The signed webhook's first answers fail, so the first alert may arrive after a later one.
        assertThat(signed).extracting(n -> n.get("threshold_percent").asInt()).containsExactlyInAnyOrder(50, 80, 100);
        assertThat(signed).allSatisfy(alert -> {
            assertThat(alert.get("user_email").asText()).isEqualTo(email);
            assertThat(alert.get("period").asText()).isEqualTo("monthly");
            assertThat(alert.get("limit_usd").asText()).isEqualTo("1.000000000");
        });
        assertThat(slack).extracting(n -> n.get("text").asText()).allMatch(text -> text.contains(email));
        assertThat(slack).extracting(n -> n.get("text").asText()).anyMatch(text -> text.contains("(100 %)"));

        List<String> received = new ArrayList<>();
        for (MimeMessage message : mail.getReceivedMessages())
            received.add(message.getAllRecipients()[0] + " | " + message.getSubject());
        assertThat(received)
                .containsExactlyInAnyOrder(
                        email + " | Claude spend: 50 % of the monthly limit",
                        email + " | Claude spend: 80 % of the monthly limit",
                        email + " | Claude spend: 100 % of the monthly limit",
                        "boss@example.com | Claude spend: 50 % of the monthly limit: " + email,
                        "boss@example.com | Claude spend: 80 % of the monthly limit: " + email,
                        "boss@example.com | Claude spend: 100 % of the monthly limit: " + email);

        await().atMost(Duration.ofSeconds(15))
                .until(() -> sql.one(
                                        "SELECT COUNT(*) FROM alert_deliveries WHERE target LIKE '%/never' "
                                                + "AND failed_at IS NOT NULL",
                                        row -> row.getLong(1))
                                .orElseThrow()
                        == 3);
        assertThat(sql.list(
                        "SELECT attempts, last_error FROM alert_deliveries WHERE target LIKE '%/never'",
                        row -> row.getInt(1) + " " + row.getString(2)))
                .allSatisfy(row -> assertThat(row).startsWith("3 ").contains("ConnectException"));
        assertThat(sql.one(
                                "SELECT MAX(attempts) FROM alert_deliveries WHERE target LIKE '%/signed'",
                                row -> row.getInt(1))
                        .orElseThrow())
                .as("the signed webhook's first answers were 500s")
                .isGreaterThan(1);
        String metrics =
                a.management("/metrics").body() + b.management("/metrics").body();
        assertThat(metrics).contains("bsg_alert_deliveries_total{channel=\"slack\",outcome=\"failed\"}");
        assertThat(millis).allMatch(ms -> ms < 2000);
    }

    @Test
    void aLimitsOwnThresholdsReplaceTheDefaults() throws Exception {
        String email = "quiet@example.com";
        String key = a.newUserKey(email);
        var limit = monthlyLimit(email, ",\"alert_thresholds\":[90]");
        assertThat(limit.statusCode()).as(limit.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(limit.body()).get("alert_thresholds").toString())
                .isEqualTo("[90]");
        var refused = monthlyLimit(email, ",\"alert_thresholds\":[0, \"x\"]");
        assertThat(refused.statusCode()).isEqualTo(400);
        for (TestGateway gw : List.of(a, b))
            gw.simulator.defaultReply(Reply.text("priced").withCache(0, 56_789));
        for (int i = 0; i < 4; i++) { // 23, 47, 70 and 94 %
            assertThat(a.send("POST", "/v1/messages", MESSAGE, "x-api-key", key).statusCode())
                    .isEqualTo(200);
            awaitSpendWritten(email, i + 1);
            Thread.sleep(1500);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> slack.stream().anyMatch(n -> n.get("text").asText().contains(email)));
        Thread.sleep(2000);
        assertThat(slack.stream().filter(n -> n.get("text").asText().contains(email)))
                .extracting(n -> n.get("text").asText())
                .singleElement()
                .satisfies(text -> assertThat(text).contains("(90 %)"));
    }

    /** Waits until this many of the user's records are in the database, so the next check sees them. */
    private void awaitSpendWritten(int records) {
        awaitSpendWritten("spender@example.com", records);
    }

    private void awaitSpendWritten(String email, int records) {
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        sql.one("SELECT COUNT(*) FROM usage_records WHERE user_email = ?", row -> row.getLong(1), email)
                                        .orElseThrow()
                                == records);
    }

    /** Sets a $100 monthly spend limit on a person through the admin API, with {@code more} fields. */
    private HttpResponse<String> monthlyLimit(String email, String more) {
        return a.admin(
                "POST",
                "/v1/organizations/spend_limits",
                "{\"scope\":{\"type\":\"user\",\"user_id\":\"" + email + "\"},\"amount\":\"100\",\"period\":\"monthly\""
                        + more + "}");
    }
}
