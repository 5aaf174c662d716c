package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.simulator.Fault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose's topology as processes on this machine: two gateways on one PostgreSQL and one Redis, behind
 * Debian's HAProxy running the compose file's own haproxy.cfg, scraped by Debian's Prometheus running its own
 * prometheus.yml (only the addresses rewritten). Then every PromQL expression in the Grafana dashboard is
 * evaluated by that Prometheus under traffic, and each must return data.
 */
class DeploymentTopologyIT {
    private static final Path ROOT = ComposeProxy.ROOT;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void twoGatewaysBehindTheProxyShareKeysMeterOnceSeeTheRealClientAndFillTheDashboard() throws Exception {
        Path prometheusBinary =
                ComposeProxy.require(Path.of("/usr/bin/prometheus"), "prometheus (apt-get install prometheus)");
        Path dir = Files.createTempDirectory("bsg-topology");
        Map<String, String> shared = Map.of(
                "BSG_CACHE__REDIS_URL", TestRedis.url(),
                "BSG_SERVER__TRUSTED_PROXIES", "127.0.0.1/32",
                "BSG_LIMITS__USER__REQUESTS_PER_MINUTE", "40");
        try (TestDatabase database = TestDatabase.postgres();
                TestGateway a = TestGateway.start(database.url(), shared);
                TestGateway b = TestGateway.start(database.url(), shared)) {
            int prometheusPort = ComposeProxy.freePort();
            String prometheus = "http://127.0.0.1:" + prometheusPort;
            Files.writeString(
                    dir.resolve("prometheus.yml"),
                    Files.readString(ROOT.resolve("deploy/compose/prometheus.yml"))
                            .replace("scrape_interval: 15s", "scrape_interval: 1s")
                            .replace("gateway-a:9464", ComposeProxy.hostPort(a.gateway.managementUrl()))
                            .replace("gateway-b:9464", ComposeProxy.hostPort(b.gateway.managementUrl())));
            Process scraper = new ProcessBuilder(
                            prometheusBinary.toString(),
                            "--config.file=" + dir.resolve("prometheus.yml"),
                            "--storage.tsdb.path=" + dir.resolve("tsdb"),
                            "--web.listen-address=127.0.0.1:" + prometheusPort)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.out").toFile())
                    .start();
            try (ComposeProxy balancer =
                    ComposeProxy.start(a.url(), a.gateway.managementUrl(), b.url(), b.gateway.managementUrl())) {
                String proxy = balancer.url();
                HttpClient direct = HttpClient.newHttpClient();
                await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> get(direct, proxy + "/healthz").statusCode() == 200);

                // A key made through one instance works on the other.
                String key = AdminKeys.make(direct, a.url(), TestGateway.ADMIN_KEY, "topology@example.com");
                assertThat(message(direct, b.url(), key).statusCode()).isEqualTo(200);

                // The client's own address reaches the audit log through the proxy; its spoofed header does not.
                HttpClient fromElsewhere = HttpClient.newBuilder()
                        .localAddress(InetAddress.getByName("127.0.0.7"))
                        .build();
                AdminKeys.make(
                        fromElsewhere,
                        proxy,
                        TestGateway.ADMIN_KEY,
                        "audited@example.com",
                        "X-Forwarded-For",
                        "6.6.6.6");
                String audit =
                        a.admin("GET", "/api/admin/audit?action=key", null).body();
                JsonNode made = findAudit(audit, "audited@example.com");
                assertThat(made.toString()).contains("127.0.0.7").doesNotContain("6.6.6.6");

                // Usage from both instances lands once.
                String counted = AdminKeys.make(direct, a.url(), TestGateway.ADMIN_KEY, "counted@example.com");
                int requests = 24;
                for (int i = 0; i < requests; i++) {
                    assertThat(message(direct, proxy, counted).statusCode()).isEqualTo(200);
                }
                assertThat(a.simulator.received()).as("instance a served some").isNotEmpty();
                assertThat(b.simulator.received()).as("instance b served some").isNotEmpty();
                await().atMost(Duration.ofSeconds(30)).until(() -> requestsOf(a, "counted@example.com") == requests);
                Thread.sleep(1500); // a second write of the same records would show by now
                assertThat(requestsOf(b, "counted@example.com")).isEqualTo(requests);

                // Traffic for the dashboard: steady, some throttled (failing over), one person over the limit.
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < 8; i++)
                    keys.add(AdminKeys.make(direct, a.url(), TestGateway.ADMIN_KEY, "load" + i + "@example.com"));
                String greedy = AdminKeys.make(direct, b.url(), TestGateway.ADMIN_KEY, "greedy@example.com");
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger sent = new AtomicInteger();
                Thread load = Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        int n = sent.incrementAndGet();
                        if (n % 10 == 0) {
                            a.simulator.failNext(Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE);
                            b.simulator.failNext(Fault.THROTTLE, Fault.THROTTLE, Fault.THROTTLE);
                        }
                        try {
                            message(direct, proxy, keys.get(n % keys.size()));
                            if (n % 3 == 0) message(direct, proxy, greedy);
                            Thread.sleep(100);
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                try {
                    List<String> expressions = dashboardExpressions();
                    assertThat(expressions).hasSizeGreaterThan(15);
                    List<String> empty = new ArrayList<>();
                    try {
                        await().atMost(Duration.ofSeconds(90))
                                .pollInterval(Duration.ofSeconds(2))
                                .until(() -> {
                                    empty.clear();
                                    for (String expression : expressions) {
                                        if (!hasData(direct, prometheus, expression)) empty.add(expression);
                                    }
                                    return empty.isEmpty();
                                });
                    } catch (ConditionTimeoutException e) {
                        fail("dashboard expressions without data after " + sent.get() + " requests: " + empty);
                    }
                } finally {
                    running.set(false);
                    load.join();
                }
            } finally {
                scraper.destroy();
                scraper.waitFor();
            }
        }
    }

    @Test
    void theComposeFileIsValidAndWiresTheFilesThisTestRuns() throws Exception {
        Path compose = ComposeProxy.require(
                Path.of("/usr/bin/docker-compose"), "docker-compose (apt-get install docker-compose)");
        Path dir = ROOT.resolve("deploy/compose");
        Process process = new ProcessBuilder(compose.toString(), "-f", "compose.yaml", "config")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String merged = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor())
                .as("docker-compose config (the Compose schema):\n%s", merged)
                .isZero();
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(merged).path("services");
        for (String gateway : List.of("gateway-a", "gateway-b")) {
            JsonNode service = services.path(gateway);
            assertThat(service.path("image").asText()).isEqualTo("localhost/bsg-gateway:0.1.0");
            assertThat(service.path("read_only").asBoolean())
                    .as(gateway + " read_only")
                    .isTrue();
            assertThat(service.path("environment").path("BSG_CONFIG").asText()).isEqualTo("/etc/bsg/config.yaml");
        }
        assertThat(Files.readString(ROOT.resolve("deploy/container/build"))).contains("localhost/bsg-gateway:0.1.0");
        assertThat(services.path("proxy").toString()).contains("haproxy.cfg");
        assertThat(services.path("prometheus").toString()).contains("prometheus.yml");
        String proxyAddress = services.path("proxy")
                .path("networks")
                .path("bsg")
                .path("ipv4_address")
                .asText();

        // The gateways' config.yaml is valid as written, with its secrets where compose mounts them.
        Path secrets = Files.createTempDirectory("bsg-compose-secrets");
        for (String name : List.of("db_password", "jwt_secret", "admin_key")) {
            Files.writeString(secrets.resolve(name), name + "-value-for-the-test-long-enough-to-be-a-secret\n");
        }
        Path config = secrets.resolve("config.yaml");
        Files.writeString(
                config, Files.readString(dir.resolve("config.yaml")).replace("/run/secrets/bsg", secrets.toString()));
        Settings settings = SettingsLoader.load(config, Map.of());
        assertThat(settings.server().trustedProxies().toString()).contains(proxyAddress + "/32");
        assertThat(settings.database().password())
                .isEqualTo("db_password-value-for-the-test-long-enough-to-be-a-secret");
        assertThat(settings.cache().redisUrl()).isEqualTo("redis://redis:6379");
    }

    static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard =
                JSON.readTree(ROOT.resolve("deploy/grafana/bsg-gateway.json").toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText().replace("$__rate_interval", "30s"));
            }
        }
        return expressions;
    }

    /** A result with at least one sample that is a number: NaN (a quantile of nothing) is no data. */
    private static boolean hasData(HttpClient client, String prometheus, String expression) throws Exception {
        HttpResponse<String> response = get(
                client, prometheus + "/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText())
                .as("%s: %s", expression, response.body())
                .isEqualTo("success");
        for (JsonNode sample : body.path("data").path("result")) {
            String value = sample.path("value").path(1).asText();
            if (!value.equals("NaN")) return true;
        }
        return false;
    }

    private static JsonNode findAudit(String audit, String email) throws IOException {
        for (JsonNode event : JSON.readTree(audit).path("data")) {
            if (event.toString().contains(email)) return event;
        }
        throw new AssertionError("no audit event for " + email + " in " + audit);
    }

    private static long requestsOf(TestGateway gateway, String email) throws IOException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String body = gateway.admin(
                        "GET", "/api/admin/usage?group_by=user&from=" + today + "&to=" + today.plusDays(1), null)
                .body();
        for (JsonNode row : JSON.readTree(body).path("data")) {
            if (row.toString().contains(email)) return row.path("requests").asLong();
        }
        return 0;
    }

    private static HttpResponse<String> message(HttpClient client, String url, String key) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .header("x-api-key", key)
                        .header("anthropic-version", "2023-06-01")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(MESSAGE))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
