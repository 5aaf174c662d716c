package dev.bsg.gateway;

import dev.bsg.gateway.auth.ApiKeyFormat;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.gateway.store.User;
import dev.bsg.simulator.BedrockSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real gateway on a real port in front of a real simulator, with an admin key and a user's API key.
 * Either started directly, or registered as a JUnit extension ({@link #perClass}) that gives a test
 * class its own gateway and database and resets the simulator before each test.
 */
public final class TestGateway implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    public static final String ADMIN_KEY = "test-admin-key-" + Secrets.base62(20);
    public BedrockSimulator simulator;
    public Gateway gateway;
    public String apiKey;
    /** The time the gateway's request limits go by; tests may hold it. */
    public final HeldClock clock = new HeldClock();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Map<String, String> overrides;
    private final boolean https;
    private final int http2Streams;
    private TestDatabase ownDatabase;

    private TestGateway(Map<String, String> overrides, boolean https) {
        this(overrides, https, 1024);
    }

    private TestGateway(Map<String, String> overrides, boolean https, int http2Streams) {
        this.overrides = overrides;
        this.https = https;
        this.http2Streams = http2Streams;
    }

    /** For {@code @RegisterExtension static final TestGateway gw = TestGateway.perClass(...)}. */
    public static TestGateway perClass(Map<String, String> overrides) {
        return new TestGateway(overrides, false);
    }

    /** The same, with the simulator as an HTTPS endpoint offering HTTP/2, as Bedrock is. */
    public static TestGateway perClassOverHttps(Map<String, String> overrides) {
        return new TestGateway(overrides, true);
    }

    /** A gateway in front of an HTTPS simulator; the caller owns the database. */
    public static TestGateway startOverHttps(String databaseUrl, Map<String, String> overrides) {
        return startOverHttps(databaseUrl, overrides, 1024);
    }

    /** The same, the simulator taking at most {@code http2Streams} concurrent streams on one connection. */
    public static TestGateway startOverHttps(String databaseUrl, Map<String, String> overrides, int http2Streams) {
        TestGateway started = new TestGateway(overrides, true, http2Streams);
        started.boot(databaseUrl, null);
        return started;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ownDatabase = TestDatabase.sqlite();
        boot(ownDatabase.url());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        simulator.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            close();
        } finally {
            ownDatabase.close();
        }
    }

    /** The caller owns the database and closes it after the gateway. */
    public static TestGateway start(TestDatabase database) {
        return start(database.url(), Map.of());
    }

    public static TestGateway startOn(String databaseUrl) {
        return start(databaseUrl, Map.of());
    }

    public static TestGateway start(String databaseUrl, Map<String, String> overrides) {
        return start(databaseUrl, overrides, null);
    }

    /** With a YAML config file too, for what environment variables can't express (lists of sections). */
    public static TestGateway start(String databaseUrl, Map<String, String> overrides, Path config) {
        TestGateway started = new TestGateway(overrides, false);
        started.boot(databaseUrl, config);
        return started;
    }

    private void boot(String databaseUrl) {
        boot(databaseUrl, null);
    }

    private void boot(String databaseUrl, Path config) {
        simulator = https ? BedrockSimulator.startTls(http2Streams) : BedrockSimulator.start();
        Map<String, String> env = new HashMap<>(simulator.gatewayEnvironment());
        env.put("BSG_SERVER__PORT", "0");
        env.putIfAbsent("BSG_SERVER__MANAGEMENT_PORT", "0");
        env.put("BSG_SERVER__MAX_BODY_BYTES", "1MB");
        env.put("BSG_SERVER__SHUTDOWN_GRACE_SECONDS", "10");
        env.put("BSG_DATABASE__URL", databaseUrl);
        env.put("BSG_UPSTREAM__REGIONS", "us-east-1,us-west-2");
        env.put("BSG_UPSTREAM__RETRY_BASE_DELAY_MS", "1");
        env.put("BSG_ADMIN__API_KEYS", ADMIN_KEY);
        try {
            env.put(
                    "BSG_METERING__JOURNAL_DIR",
                    Files.createTempDirectory("bsg-journal").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.putAll(overrides);
        try {
            gateway = new Gateway(SettingsLoader.load(config, env), clock).start();
            User user = gateway.users().findOrCreate("dev@example.com", "Dev");
            apiKey = ApiKeyFormat.generate();
            gateway.keys().create(user.id(), "test", Secrets.sha256(apiKey), ApiKeyFormat.hint(apiKey), null);
        } catch (Exception e) {
            simulator.close();
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return gateway.url();
    }

    public HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) request.headers(headers);
        // As the Anthropic SDKs and Claude Code do, unless the test sends its own (or tests its absence with an empty
        // value).
        if (path.matches("(/anthropic)?/v1/messages(/count_tokens)?")
                && !Arrays.asList(headers).contains("anthropic-version")) {
            request.header("anthropic-version", "2023-06-01");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POST with the test user's API key. */
    public HttpResponse<String> post(String path, String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "x-api-key";
        all[1] = apiKey;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return send("POST", path, body, all);
    }

    /** A new user with a key of their own (so a test can count only its own traffic); returns the key. */
    public String newUserKey(String email) {
        User user = gateway.users().findOrCreate(email, null);
        String key = ApiKeyFormat.generate();
        gateway.keys().create(user.id(), "test", Secrets.sha256(key), ApiKeyFormat.hint(key), null);
        return key;
    }

    /** A GET on the management port (/healthz, /readyz, /metrics). */
    public HttpResponse<String> management(String path) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(gateway.managementUrl() + path))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> admin(String method, String path, String body) {
        return send(method, path, body, "Authorization", "Bearer " + ADMIN_KEY, "Content-Type", "application/json");
    }

    @Override
    public void close() throws Exception {
        try {
            gateway.close();
        } finally {
            simulator.close();
        }
    }
}
