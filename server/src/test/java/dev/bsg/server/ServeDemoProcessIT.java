package dev.bsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code bsg serve --demo} as a real process: it prints a working key, serves, and stops cleanly on SIGTERM. */
class ServeDemoProcessIT {
    /** A running {@code bsg serve --demo} process, the URL it listens on and the key it printed. */
    record Demo(Process process, String url, String key, Path dir) {}

    static Demo startDemo() throws Exception {
        return startDemo(Map.of());
    }

    /** The demo in its own JVM, {@code env} added; what it prints stays in {@code dir/stdout.txt}. */
    static Demo startDemo(Map<String, String> env) throws Exception {
        Path dir = Files.createTempDirectory("bsg-demo");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.bsg.server.ServerMain",
                        "serve",
                        "--demo",
                        "--port",
                        "0")
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("BSG_DATABASE__URL", "jdbc:sqlite:" + dir.resolve("demo.db"));
        builder.environment().putAll(env);
        Process process = builder.start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder printed = new StringBuilder();
        String url = null;
        String key = null;
        long deadline = System.currentTimeMillis() + 60_000;
        while ((url == null || key == null) && System.currentTimeMillis() < deadline) {
            String line = out.readLine();
            if (line == null) break;
            printed.append(line).append('\n');
            Matcher listening = Pattern.compile("listening on (http://\\S+)").matcher(line);
            if (listening.find()) url = listening.group(1);
            Matcher apiKey = Pattern.compile("(SSOK_[0-9A-Za-z]{32})").matcher(line);
            if (apiKey.find()) key = apiKey.group(1);
        }
        if (url == null || key == null) {
            process.destroyForcibly();
            throw new AssertionError("the demo did not print its URL and key:\n" + printed);
        }
        Path stdout = dir.resolve("stdout.txt");
        Files.writeString(stdout, printed);
        Thread.ofVirtual()
                .start(() -> out.lines()
                        .forEach(
                                line -> { // keep its stdout drained, and kept
                                    try {
                                        Files.writeString(stdout, line + "\n", StandardOpenOption.APPEND);
                                    } catch (IOException e) {
                                        // the test reading it fails on what is missing
                                    }
                                }));
        return new Demo(process, url, key, dir);
    }

    static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** One Anthropic-format message to the demo with its printed key. */
    static HttpResponse<String> message(Demo demo, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(demo.url() + path))
                                .header("anthropic-version", "2023-06-01")
                                .header("x-api-key", demo.key())
                                .timeout(Duration.ofSeconds(20))
                                .POST(HttpRequest.BodyPublishers.ofString(MESSAGE))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void demoPrintsAWorkingKeyAndShutsDownGracefully() throws Exception {
        Demo demo = startDemo();
        try {
            HttpResponse<String> reply = message(demo, "/v1/messages");
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).contains("Hello from the Bedrock simulator.");
            assertThat(signInWithTheDevelopmentIdentityProvider(demo.url(), "alice@example.com"))
                    .contains("Signed in as <strong>alice@example.com</strong>");
            demo.process().destroy();
            assertThat(demo.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(demo.dir().resolve("stderr.txt"))).contains("shutting down");
        } finally {
            demo.process().destroyForcibly();
        }
    }

    @Test
    void everyRequestLeavesOneJsonAccessLineWithItsTokensAndCost() throws Exception {
        Demo demo = startDemo(Map.of("BSG_LOGGING__FORMAT", "json"));
        try {
            HttpResponse<String> reply = message(demo, "/v1/messages?note=secret-query");
            assertThat(reply.statusCode()).isEqualTo(200);
            String requestId = reply.headers().firstValue("request-id").orElseThrow();
            JsonNode line =
                    await().atMost(Duration.ofSeconds(10)).until(() -> accessLine(demo, requestId), Objects::nonNull);
            Map<String, String> fields = new HashMap<>();
            line.path("kvpList")
                    .forEach(pair -> pair.fields()
                            .forEachRemaining(
                                    f -> fields.put(f.getKey(), f.getValue().asText())));
            assertThat(line.path("level").asText()).isEqualTo("INFO");
            assertThat(fields)
                    .containsEntry("route", "/v1/messages")
                    .containsEntry("status", "200")
                    .containsEntry("user", "demo@example.com")
                    .containsEntry("door", "anthropic")
                    .containsKeys(
                            "key_id",
                            "model",
                            "input_tokens",
                            "output_tokens",
                            "cost_usd",
                            "latency_ms",
                            "upstream_latency_ms",
                            "bytes_in",
                            "bytes_out");
            assertThat(fields.get("bytes_in")).isEqualTo(Integer.toString(MESSAGE.length()));
            assertThat(Long.parseLong(fields.get("bytes_out"))).isPositive();
            assertThat(line.toString()).doesNotContain("secret-query").doesNotContain(demo.key());
            assertThat(Files.readAllLines(demo.dir().resolve("stdout.txt")).stream()
                            .filter(l -> l.startsWith("{"))
                            .toList())
                    .as("every log line is one JSON object")
                    .allSatisfy(
                            l -> assertThat(Json.MAPPER.readTree(l).isObject()).isTrue());
        } finally {
            demo.process().destroy();
            demo.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static JsonNode accessLine(Demo demo, String requestId) throws IOException {
        for (String text : Files.readAllLines(demo.dir().resolve("stdout.txt"))) {
            if (!text.startsWith("{") || !text.contains(requestId)) continue;
            JsonNode line = Json.MAPPER.readTree(text);
            if (line.path("loggerName").asText().equals("bsg.access")) return line;
        }
        return null;
    }

    @Test
    void sigtermUnderLoadLeavesARecordForEveryFinishedRequest() throws Exception {
        Demo demo = startDemo();
        Set<String> finished = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Thread> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 16; c++) {
                boolean stream = c % 4 == 0;
                clients.add(Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> reply = http.send(
                                    HttpRequest.newBuilder(URI.create(demo.url() + "/v1/messages"))
                                            .header("anthropic-version", "2023-06-01")
                                            .header("x-api-key", demo.key())
                                            .timeout(Duration.ofSeconds(20))
                                            .POST(HttpRequest.BodyPublishers.ofString(
                                                    stream
                                                            ? MESSAGE.replace(
                                                                    "{\"model\"", "{\"stream\":true,\"model\"")
                                                            : MESSAGE))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            boolean complete = reply.statusCode() == 200
                                    && (!stream || reply.body().contains("message_stop"));
                            if (complete)
                                finished.add(
                                        reply.headers().firstValue("request-id").orElseThrow());
                        } catch (Exception e) {
                            if (!demo.process().isAlive()) return;
                        }
                    }
                }));
            }
            Thread.sleep(2000);
            demo.process().destroy(); // SIGTERM, with requests in flight
            assertThat(demo.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            stop.set(true);
            for (Thread client : clients) client.join(10_000);
            demo.process().destroyForcibly();
        }
        assertThat(finished).as("traffic ran before the signal").hasSizeGreaterThan(50);
        Set<String> recorded = new HashSet<>();
        try (Connection db =
                        DriverManager.getConnection("jdbc:sqlite:" + demo.dir().resolve("demo.db"));
                ResultSet rows = db.createStatement().executeQuery("SELECT request_id FROM usage_records")) {
            while (rows.next()) recorded.add(rows.getString(1));
        }
        assertThat(recorded)
                .as("every request that finished was recorded before the process exited")
                .containsAll(finished);
    }

    /** What a person does: /login, type an email at the development IdP's form, come back signed in. */
    static String signInWithTheDevelopmentIdentityProvider(String gateway, String email) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> login = http.send(
                HttpRequest.newBuilder(URI.create(gateway + "/login")).build(), HttpResponse.BodyHandlers.ofString());
        URI authorize = URI.create(login.headers().firstValue("location").orElseThrow());
        assertThat(http.send(HttpRequest.newBuilder(authorize).build(), HttpResponse.BodyHandlers.ofString())
                        .body())
                .contains("name=\"username\"");
        HttpResponse<String> submitted = http.send(
                HttpRequest.newBuilder(authorize)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "username=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&claims="))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // The browser carries the sign-in cookie /login set back to the callback (the sign-in is bound to it).
        String signIn = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        HttpResponse<String> callback = http.send(
                HttpRequest.newBuilder(URI.create(
                                submitted.headers().firstValue("location").orElseThrow()))
                        .header("Cookie", signIn)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String cookie = callback.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith("bsg_session="))
                .findFirst()
                .orElseThrow()
                .split(";")[0];
        return http.send(
                        HttpRequest.newBuilder(URI.create(gateway + "/"))
                                .header("Cookie", cookie)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
