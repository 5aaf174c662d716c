package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.gateway.Gateway;
import dev.bsg.gateway.OtlpCollector;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.gateway.web.RealBrowser;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.BedrockSimulator;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * {@code bsg login --device}, {@code bsg token}, {@code bsg logout} and {@code bsg setup claude-code}
 * against a real gateway and a real OpenID Connect provider; then Claude Code with {@code bsg token}
 * as its apiKeyHelper.
 */
class SignInCommandsIT {
    static final MockOAuth2Server IDP = new MockOAuth2Server(new Route[0]);
    static final String ADMIN_KEY = "signin-admin-key-0123456789";
    static BedrockSimulator simulator;
    static OtlpCollector collector;
    static Gateway gateway;
    static Path home;
    static String originalHome;

    @BeforeAll
    static void start() throws Exception {
        IDP.start(InetAddress.getLoopbackAddress(), 0);
        simulator = BedrockSimulator.start();
        collector = OtlpCollector.start(200);
        Map<String, String> env = new HashMap<>(simulator.gatewayEnvironment());
        // A public URL and a collector: managed settings then switch signed-in Claude Code's telemetry on (with a
        // short metrics interval from a policy, so the test need not wait a minute).
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        env.put("BSG_SERVER__PUBLIC_URL", "http://127.0.0.1:" + port);
        env.put("BSG_ADMIN__API_KEYS", ADMIN_KEY);
        Path config =
                Files.writeString(Files.createTempFile("bsg-cli-signin", ".yaml"), """
                telemetry:
                  forward_to: [{url: %s, signals: [metrics, logs]}]
                policies:
                  - match: {}
                    settings: {env: {OTEL_METRIC_EXPORT_INTERVAL: "2000", OTEL_LOGS_EXPORT_INTERVAL: "1000"}}
                """.formatted(collector.url()));
        env.putAll(Map.of(
                "BSG_SERVER__PORT",
                String.valueOf(port),
                "BSG_SERVER__MANAGEMENT_PORT",
                "0",
                "BSG_DATABASE__URL",
                "jdbc:sqlite:" + Files.createTempDirectory("bsg-cli-signin").resolve("t.db"),
                "BSG_OIDC__ISSUER",
                IDP.issuerUrl("company").toString(),
                "BSG_OIDC__CLIENT_ID",
                "bsg-cli-test"));
        gateway = new Gateway(SettingsLoader.load(config, env)).start();
        home = Files.createTempDirectory("bsg-cli-home");
        originalHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        // This test reads the credentials file itself; the keyring back-end has KeyringStorageIT.
        System.setProperty("bsg.credential.storage", "file");
    }

    @AfterAll
    static void stop() throws Exception {
        System.setProperty("user.home", originalHome);
        System.clearProperty("bsg.credential.storage");
        gateway.close();
        simulator.close();
        collector.close();
        IDP.shutdown();
    }

    /**
     * What a person does in Chromium (CSP enforced, the log read for errors): open the device page, sign in at the
     * IdP through its link, approve the code shown. Returns the page's text at the end.
     */
    static String approveInBrowser(String userCode) {
        return approveAt(gateway.url() + "/device?user_code=" + userCode);
    }

    static String approveAt(String devicePage) {
        try (RealBrowser browser = new RealBrowser()) {
            browser.open(devicePage);
            browser.click(By.linkText("Sign in to continue"));
            browser.click(By.xpath("//button[text()='Approve']"));
            return browser.text();
        }
    }

    static CliRun login() throws Exception {
        IDP.enqueueCallback(new DefaultOAuth2TokenCallback(
                "company",
                "erin-sub",
                "JWT",
                List.of("bsg-cli-test"),
                Map.of("email", "erin@example.com", "name", "Erin", "groups", List.of("eng")),
                3600));
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        CompletableFuture<CliRun> login =
                CompletableFuture.supplyAsync(() -> CliRun.bsg(live, "login", "--gateway", gateway.url(), "--device"));
        Pattern code = Pattern.compile("confirm the code ([A-Z]{4}-[A-Z]{4})");
        Matcher matcher = null;
        for (int i = 0; i < 100; i++) {
            matcher = code.matcher(live.toString(StandardCharsets.UTF_8));
            if (matcher.find()) break;
            Thread.sleep(100);
        }
        assertThat(matcher.hitEnd() && !matcher.hasMatch() ? null : matcher.group(1))
                .as(live.toString(StandardCharsets.UTF_8))
                .isNotNull();
        assertThat(approveInBrowser(matcher.group(1))).contains("erin@example.com");
        return login.get(30, TimeUnit.SECONDS);
    }

    /** {@code bsg login} without --device opens the browser ($BROWSER); approving there finishes the sign-in. */
    @Test
    void loginOpensTheBrowserAndFinishesWhenApprovedThere() throws Exception {
        Path dir = Files.createTempDirectory("bsg-browser-login");
        Path opened = dir.resolve("opened.txt");
        Path browser = dir.resolve("browser");
        Files.writeString(browser, "#!/bin/sh\necho \"$1\" > '" + opened + "'\n");
        browser.toFile().setExecutable(true, true);
        IDP.enqueueCallback(new DefaultOAuth2TokenCallback(
                "company",
                "finn-sub",
                "JWT",
                List.of("bsg-cli-test"),
                Map.of("email", "finn@example.com", "name", "Finn"),
                3600));
        System.setProperty("bsg.browser", browser.toString());
        try {
            CompletableFuture<CliRun> login =
                    CompletableFuture.supplyAsync(() -> CliRun.bsg("login", "--gateway", gateway.url()));
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(opened) && Files.size(opened) > 0);
            String url = Files.readString(opened).strip();
            assertThat(url).startsWith(gateway.url() + "/device?user_code=");
            assertThat(approveAt(url)).contains("Device connected").contains("finn@example.com");
            CliRun finished = login.get(30, TimeUnit.SECONDS);
            assertThat(finished.exit()).as(finished.err()).isZero();
            assertThat(finished.err()).contains("as finn@example.com");
        } finally {
            System.clearProperty("bsg.browser");
        }
    }

    @Test
    void loginTokenRefreshAndLogout() throws Exception {
        CliRun login = login();
        assertThat(login.exit()).as(login.err()).isZero();
        assertThat(login.err()).contains("signed in to " + gateway.url() + " as erin@example.com");
        Path credentials = home.resolve(".config/bsg/credentials.json");
        assertThat(Files.getPosixFilePermissions(credentials))
                .hasSize(2)
                .allMatch(p -> p.name().startsWith("OWNER"));

        CliRun token = CliRun.bsg("token");
        assertThat(token.exit()).isZero();
        String jwt = token.out().strip();
        assertThat(jwt).startsWith("ey").doesNotContain("\n");
        HttpResponse<String> inference = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                                .header("anthropic-version", "2023-06-01")
                                .header("Authorization", "Bearer " + jwt)
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(inference.statusCode()).isEqualTo(200);

        // An access token about to expire is refreshed silently, and the refresh token rotates.
        JsonNode stored = Json.MAPPER.readTree(credentials.toFile());
        String firstRefresh =
                stored.at("/gateways").elements().next().get("refresh_token").asText();
        ((ObjectNode) stored.at("/gateways").elements().next()).put("expires_at", 0);
        Files.write(credentials, Json.MAPPER.writeValueAsBytes(stored));
        CliRun refreshed = CliRun.bsg("token", "--gateway", gateway.url());
        assertThat(refreshed.exit()).as(refreshed.err()).isZero();
        assertThat(refreshed.out().strip()).startsWith("ey").isNotEqualTo(jwt);
        assertThat(Json.MAPPER
                        .readTree(credentials.toFile())
                        .at("/gateways")
                        .elements()
                        .next()
                        .get("refresh_token")
                        .asText())
                .isNotEqualTo(firstRefresh);

        assertThat(CliRun.bsg("logout").exit()).isZero();
        CliRun after = CliRun.bsg("token");
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.err()).contains("not signed in").contains("bsg login --gateway");
    }

    @Test
    void claudeCodeReachesBedrockAsTheSignedInUserThroughBsgToken() throws Exception {
        Path claude = ClaudeCodeBinary.find();
        assertThat(login().exit()).isZero();
        Path claudeHome = Files.createTempDirectory("bsg-claude-home");
        String java = ProcessHandle.current().info().command().orElse("java");
        String helper = java + " -Duser.home=" + home + " -cp " + System.getProperty("java.class.path")
                + " dev.bsg.cli.Main token --gateway " + gateway.url();
        assertThat(CliRun.bsg(
                                "setup",
                                "claude-code",
                                "--gateway",
                                gateway.url(),
                                "--settings",
                                claudeHome.resolve(".claude/settings.json").toString(),
                                "--bsg",
                                java + " -Duser.home=" + home + " -cp " + System.getProperty("java.class.path")
                                        + " dev.bsg.cli.Main")
                        .exit())
                .isZero();
        assertThat(Files.readString(claudeHome.resolve(".claude/settings.json")))
                .contains(helper.replace("\\", "\\\\"));

        ProcessBuilder process = new ProcessBuilder(claude.toString(), "-p", "Say hello.", "--output-format", "json");
        process.environment()
                .keySet()
                .removeIf(k -> k.startsWith("ANTHROPIC_") || k.startsWith("AWS_") || k.startsWith("CLAUDE_"));
        process.environment().put("HOME", claudeHome.toString());
        process.environment().put("DISABLE_AUTOUPDATER", "1");
        process.environment().put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        process.redirectError(claudeHome.resolve("stderr.txt").toFile());
        Process running = process.start();
        running.getOutputStream().close();
        String stdout = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(running.waitFor(120, TimeUnit.SECONDS)).isTrue();
        JsonNode result = Json.MAPPER.readTree(stdout);
        assertThat(result.get("is_error").asBoolean())
                .as(stdout + Files.readString(claudeHome.resolve("stderr.txt")))
                .isFalse();
        assertThat(result.get("result").asText()).isEqualTo("Hello from the Bedrock simulator.");
        assertThat(simulator.lastRequest().signatureValid()).isTrue();
    }

    @Test
    void setupClaudeCodeMergesBacksUpAndIsIdempotent() throws Exception {
        Path settings = home.resolve("claude-settings.json");
        Files.writeString(settings, "{\"permissions\":{\"allow\":[\"Bash(ls)\"]},\"env\":{\"FOO\":\"bar\"}}");
        assertThat(CliRun.bsg(
                                "setup",
                                "claude-code",
                                "--gateway",
                                gateway.url() + "/",
                                "--settings",
                                settings.toString(),
                                "--bsg",
                                "/opt/bsg/bsg")
                        .exit())
                .isZero();
        JsonNode merged = Json.MAPPER.readTree(settings.toFile());
        assertThat(merged.at("/env/ANTHROPIC_BASE_URL").asText()).isEqualTo(gateway.url());
        assertThat(merged.at("/env/FOO").asText()).isEqualTo("bar");
        assertThat(merged.at("/permissions/allow/0").asText()).isEqualTo("Bash(ls)");
        assertThat(merged.get("apiKeyHelper").asText()).isEqualTo("/opt/bsg/bsg token --gateway " + gateway.url());
        try (var files = Files.list(home)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("claude-settings.json.bak-"))
                            .count())
                    .isEqualTo(1);
        }
        CliRun again = CliRun.bsg(
                "setup",
                "claude-code",
                "--gateway",
                gateway.url(),
                "--settings",
                settings.toString(),
                "--bsg",
                "/opt/bsg/bsg");
        assertThat(again.err()).contains("already points");
        try (var files = Files.list(home)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("claude-settings.json.bak-"))
                            .count())
                    .as("no second backup")
                    .isEqualTo(1);
        }
    }

    /**
     * Claude Code's own "Cloud gateway" login, in its terminal UI, as a person does it: managed settings
     * name the gateway (in /etc, so Claude Code runs in a private mount namespace with an overlay there,
     * leaving the machine's /etc alone); /login, trust, the device code approved in the browser, confirm;
     * then a prompt answered through the gateway.
     */
    @Test
    void claudeCodesOwnCloudGatewayLoginSignsInThroughTheGateway() throws Exception {
        Path claude = ClaudeCodeBinary.find();
        TerminalSession.require(true);
        Path dir = Files.createTempDirectory("bsg-cloud-gateway-login");
        Path work = Files.createDirectories(dir.resolve("work"));
        Path claudeHome = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("upper"));
        Files.createDirectories(dir.resolve("overlay-work"));
        Files.writeString(
                claudeHome.resolve(".claude.json"),
                "{\"hasCompletedOnboarding\":true,\"theme\":\"dark\",\"numStartups\":1," + "\"projects\":{\""
                        + work.toRealPath() + "\":{\"hasTrustDialogAccepted\":true}}}");
        Path opened = dir.resolve("opened.txt");
        Path browser = dir.resolve("browser");
        Files.writeString(browser, "#!/bin/sh\necho \"$1\" >> '" + opened + "'\n");
        Path run = dir.resolve("run.sh");
        Files.writeString(run, """
                #!/bin/sh
                set -e
                mount -t overlay overlay -o lowerdir=/etc,upperdir=%1$s/upper,workdir=%1$s/overlay-work /etc
                mkdir -p /etc/claude-code
                printf '{"forceLoginMethod":"gateway","forceLoginGatewayUrl":"%2$s"}' > /etc/claude-code/managed-settings.json
                env | grep -E '^(ANTHROPIC_|AWS_|CLAUDE_)' | cut -d= -f1 | while read -r name; do unset "$name"; done
                export HOME='%3$s' BROWSER='%4$s' DISABLE_AUTOUPDATER=1
                exec '%5$s'
                """.formatted(dir, gateway.url(), claudeHome, browser, claude));
        for (Path script : List.of(browser, run)) script.toFile().setExecutable(true, true);

        try (TerminalSession tui = TerminalSession.start(work, "unshare --mount --propagation private " + run)) {
            tui.waitFor("Cloud gateway", 60);
            tui.keys("/login", "Enter");
            tui.waitFor("Enter to connect", 30);
            tui.keys("Enter");
            tui.waitFor("Trust gateway 127.0.0.1?", 30);
            tui.keys("Up", "Enter");
            String shown = tui.waitFor("Waiting for sign-in", 30);
            Matcher code = Pattern.compile("Code:\\s+([A-Z]{4}-[A-Z]{4})").matcher(shown);
            assertThat(code.find()).as(shown).isTrue();
            assertThat(Files.readString(opened))
                    .as("the browser was sent to the gateway's device page")
                    .contains(gateway.url() + "/device?user_code=" + code.group(1));
            IDP.enqueueCallback(new DefaultOAuth2TokenCallback(
                    "company",
                    "kai-sub",
                    "JWT",
                    List.of("bsg-cli-test"),
                    Map.of("email", "kai@example.com", "name", "Kai"),
                    3600));
            assertThat(approveInBrowser(code.group(1))).contains("kai@example.com");
            tui.waitFor("Signed in to Cloud gateway as kai@example.com", 30);
            tui.keys("Up", "Enter");
            tui.waitFor("Connected to Cloud gateway", 30);
            tui.keys("Enter");
            // The gateway's managed settings turn telemetry on: Claude Code asks once before it trusts them.
            assertThat(tui.waitFor("Managed settings require approval", 30))
                    .contains("OTEL_EXPORTER_OTLP_ENDPOINT=" + gateway.publicUrl());
            tui.waitFor("Yes, I trust these settings", 10);
            // "No, exit Claude Code" comes first and is chosen; the dialog takes no keys for its first moments (so a
            // stray Enter can't approve), so the move down is repeated until it shows.
            for (int i = 0; i < 20 && !tui.screen().contains("❯ Yes, I trust these settings"); i++) {
                tui.keys("Down");
                Thread.sleep(500);
            }
            tui.waitFor("❯ Yes, I trust these settings", 1);
            tui.keys("Enter");
            tui.waitFor("shift+tab to cycle", 30); // the prompt is back, with the settings applied
            Thread.sleep(1000);
            tui.keys("Say hello from the terminal", "Enter");
            tui.waitFor("Hello from the Bedrock simulator.", 90);

            // Telemetry, switched on by the gateway's managed settings, reaches the collector stamped with the
            // identity the gateway signed in, and Kai's summary in the gateway.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> collector.resources().stream()
                            .anyMatch(resource -> "kai@example.com".equals(resource.get("user.email"))));
            assertThat(collector.resources())
                    .allSatisfy(resource -> assertThat(resource).containsEntry("identity.source", "bsg-gateway"));
            JsonNode kai = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                gateway.runBackgroundTasksNow();
                                for (JsonNode row : productivity().get("data"))
                                    if (row.get("user").asText().equals("kai@example.com")) return row;
                                return null;
                            },
                            row -> row != null && row.get("sessions").asLong() >= 1);
            assertThat(kai.get("requests").asLong()).isPositive();
        }
        assertThat(simulator.received())
                .anySatisfy(request -> assertThat(new String(request.body(), StandardCharsets.UTF_8))
                        .contains("Say hello from the terminal"));
        assertThat(gateway.users().byEmail("kai@example.com")).isPresent();
    }

    private static JsonNode productivity() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway.url() + "/api/admin/productivity"))
                                .header("Authorization", "Bearer " + ADMIN_KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(answer.body());
    }
}
