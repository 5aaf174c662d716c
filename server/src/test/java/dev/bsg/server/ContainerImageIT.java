package dev.bsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bsg.gateway.AdminKeys;
import dev.bsg.gateway.TestDatabase;
import dev.bsg.simulator.BedrockSimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image deploy/container/build makes, built and run with podman as an operator would: configured only by
 * {@code BSG_} variables, a {@code _FILE} secret and a mounted YAML, against PostgreSQL and the Bedrock simulator.
 */
class ContainerImageIT {
    static final String TAG = "localhost/bsg-gateway:test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void buildTheImage() throws Exception {
        Podman.require();
        Path root = Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", "..")).toAbsolutePath();
        ProcessBuilder build = new ProcessBuilder(
                        root.resolve("deploy/container/build").toString(), TAG)
                .redirectErrorStream(true)
                .redirectOutput(Files.createTempFile("bsg-image-build", ".log").toFile());
        build.environment().put("BSG_IMAGE_SKIP_BUILD", "1"); // Maven packaged the server before this test
        Process process = build.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue())
                .as("deploy/container/build, log at %s", build.redirectOutput().file())
                .isZero();
    }

    @Test
    void theImageServesAsANonRootUserOnAReadOnlyRootFromVariablesASecretFileAndAMountedYaml() throws Exception {
        int port = freePort();
        int managementPort = freePort();
        Path dir = Files.createTempDirectory("bsg-image");
        Files.writeString(dir.resolve("config.yaml"), """
                server:
                  port: %d
                  management_port: %d
                upstream:
                  regions: [us-east-1]
                logging:
                  format: json
                """.formatted(port, managementPort));
        String adminKey = "image-admin-" + System.nanoTime();
        Files.writeString(dir.resolve("admin_key"), adminKey + "\n");
        try (BedrockSimulator simulator = BedrockSimulator.start();
                TestDatabase database = TestDatabase.postgres()) {
            List<String> options = new ArrayList<>(List.of(
                    "--network",
                    "host",
                    "--read-only",
                    "-v",
                    dir.resolve("config.yaml") + ":/etc/bsg/config.yaml:ro",
                    "-v",
                    dir.resolve("admin_key") + ":/run/secrets/admin_key:ro",
                    "-e",
                    "BSG_CONFIG=/etc/bsg/config.yaml",
                    "-e",
                    "BSG_ADMIN__API_KEYS_FILE=/run/secrets/admin_key",
                    "-e",
                    "BSG_DATABASE__URL=" + database.url()));
            for (Map.Entry<String, String> variable :
                    simulator.gatewayEnvironment().entrySet()) {
                options.addAll(List.of("-e", variable.getKey() + "=" + variable.getValue()));
            }
            String container = Podman.start(options, TAG);
            try {
                String url = "http://127.0.0.1:" + port;
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .ignoreExceptions()
                        .until(() -> get(url + "/healthz").statusCode() == 200);

                String key = AdminKeys.make(HTTP, url, adminKey, "ops@example.com");
                HttpResponse<String> answer = post(
                        url + "/v1/messages",
                        ServeDemoProcessIT.MESSAGE,
                        "x-api-key",
                        key,
                        "anthropic-version",
                        "2023-06-01");
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(get("http://127.0.0.1:" + managementPort + "/readyz").statusCode())
                        .isEqualTo(200);

                assertThat(Podman.ok(
                                        "inspect",
                                        container,
                                        "--format",
                                        "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}")
                                .output()
                                .strip())
                        .isEqualTo("65532:65532 true");
                Podman.Result health = Podman.podman("healthcheck", "run", container);
                assertThat(health.exit())
                        .as("the image's own HEALTHCHECK: %s", health.output())
                        .isZero();
                String size = Podman.ok("image", "inspect", TAG, "--format", "{{.Size}}")
                        .output()
                        .strip();
                assertThat(Long.parseLong(size)).as("image bytes").isLessThan(200L << 20);

                Podman.ok("stop", "-t", "30", container);
                assertThat(Podman.ok("inspect", container, "--format", "{{.State.ExitCode}}")
                                .output()
                                .strip())
                        .as("SIGTERM drains and exits")
                        .isIn("0", "143");
                String logs = Podman.ok("logs", container).output();
                JsonNode access = logs.lines()
                        .filter(line -> line.startsWith("{") && line.contains("\"bsg.access\""))
                        .map(ContainerImageIT::parse)
                        .filter(line -> line.toString().contains("/v1/messages"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no JSON access line for the request:\n" + logs));
                assertThat(access.toString()).contains("\"status\"").doesNotContain(key);
                assertThat(logs).contains("shutting down");
            } finally {
                Podman.podman("rm", "-f", container);
            }
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String body, String... headers) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .headers(headers)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
