package dev.bsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bsg.gateway.AdminKeys;
import dev.bsg.gateway.ComposeProxy;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestRedis;
import dev.bsg.simulator.BedrockSimulator;
import dev.bsg.simulator.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart as an orchestrator does one: two `bsg serve` processes behind deploy/compose's HAProxy under
 * steady streaming traffic; each in turn gets SIGTERM, must answer /readyz with 503 before it stops listening,
 * finish what it was streaming, and is started again. No request may fail.
 */
class RollingRestartIT {
    private static final String ADMIN_KEY = "rolling-admin-key-" + System.nanoTime();
    private static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void sigtermDrainsFirstAndARollingRestartBehindTheProxyFailsNoRequest() throws Exception {
        try (BedrockSimulator simulator = BedrockSimulator.start();
                TestDatabase database = TestDatabase.postgres()) {
            // About half a second per answer, so SIGTERM always finds streams in flight.
            simulator.defaultReply(Reply.text("one two three four five six seven eight")
                    .withDeltas(8)
                    .withPacing(Duration.ofMillis(100), Duration.ofMillis(50)));
            Map<String, String> env = new HashMap<>(simulator.gatewayEnvironment());
            env.put("BSG_DATABASE__URL", database.url());
            env.put("BSG_CACHE__REDIS_URL", TestRedis.url());
            env.put("BSG_ADMIN__API_KEYS", ADMIN_KEY);
            env.put("BSG_UPSTREAM__REGIONS", "us-east-1");
            env.put("BSG_SERVER__DRAIN_DELAY_SECONDS", "2");
            env.put("BSG_SERVER__SHUTDOWN_GRACE_SECONDS", "20");
            ServeProcess a = ServeProcess.start(env, ComposeProxy.freePort(), ComposeProxy.freePort());
            ServeProcess b = ServeProcess.start(env, ComposeProxy.freePort(), ComposeProxy.freePort());
            try (ComposeProxy proxy = ComposeProxy.start(a.url(), a.managementUrl(), b.url(), b.managementUrl())) {
                String key = AdminKeys.make(HTTP, a.url(), ADMIN_KEY, "rolling@example.com");
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger completed = new AtomicInteger();
                Queue<String> failures = new ConcurrentLinkedQueue<>();
                List<Thread> clients = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    clients.add(Thread.ofVirtual().start(() -> {
                        while (running.get()) {
                            try {
                                HttpResponse<String> response = stream(proxy.url(), key);
                                if (response.statusCode() != 200
                                        || !response.body().contains("message_stop")) {
                                    failures.add(response.statusCode() + " " + response.body());
                                } else {
                                    completed.incrementAndGet();
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                    }));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> completed.get() > 20);
                a = restart(a, env);
                b = restart(b, env);
                int before = completed.get();
                await().atMost(Duration.ofSeconds(20)).until(() -> completed.get() > before + 20);
                running.set(false);
                for (Thread client : clients) client.join();
                assertThat(failures)
                        .as("failed requests during the rolling restart")
                        .isEmpty();
                assertThat(completed.get()).isGreaterThan(60);
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    /** SIGTERM; readiness must fail while the old process still answers; then the same ports again. */
    private static ServeProcess restart(ServeProcess old, Map<String, String> env) throws Exception {
        old.process().destroy(); // SIGTERM
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> ServeProcess.status("http://127.0.0.1:" + old.managementPort() + "/readyz") == 503);
        assertThat(old.process().waitFor(30, TimeUnit.SECONDS))
                .as("drained and exited")
                .isTrue();
        assertThat(old.process().exitValue()).isIn(0, 143);
        assertThat(Files.readString(old.log())).contains("shutting down");
        ServeProcess fresh = ServeProcess.start(env, old.port(), old.managementPort());
        // As an orchestrator waits for the balancer to see a new instance before it stops the next: HAProxy
        // checks every 500 ms and wants two good answers.
        Thread.sleep(2000);
        return fresh;
    }

    private static HttpResponse<String> stream(String url, String key) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .header("x-api-key", key)
                        .header("anthropic-version", "2023-06-01")
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
