package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.ReceivedRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real Claude Code CLI ({@code claude -p}) against the gateway, in both of its gateway modes.
 * scripts/test installs it from npm into .tools/; set BSG_CLAUDE_BIN to use another.
 */
class ClaudeCodeEndToEndIT {
    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());

    static Path claude;

    @BeforeAll
    static void start() {
        claude = findClaude();
    }

    static Path findClaude() {
        String configured = System.getenv("BSG_CLAUDE_BIN");
        Path root = Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", "..")).toAbsolutePath();
        Path candidate = configured != null ? Path.of(configured) : root.resolve(".tools/node_modules/.bin/claude");
        if (!Files.isExecutable(candidate)) {
            String why = "Claude Code CLI not found at " + candidate
                    + "; scripts/test installs it (npm install @anthropic-ai/claude-code@2.1.332 in .tools)";
            if ("true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(false, why);
        }
        return candidate;
    }

    static JsonNode runClaude(Map<String, String> env) throws Exception {
        Path home = Files.createTempDirectory("bsg-claude-home");
        ProcessBuilder process = new ProcessBuilder(claude.toString(), "-p", "Say hello.", "--output-format", "json")
                .redirectErrorStream(false);
        Map<String, String> environment = process.environment();
        environment
                .keySet()
                .removeIf(k -> k.startsWith("ANTHROPIC_") || k.startsWith("AWS_") || k.startsWith("CLAUDE_"));
        environment.put("HOME", home.toString());
        environment.put("DISABLE_AUTOUPDATER", "1");
        environment.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        environment.putAll(env);
        process.redirectError(home.resolve("stderr.txt").toFile());
        Process running = process.start();
        running.getOutputStream().close();
        byte[] out = running.getInputStream().readAllBytes();
        assertThat(running.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String stdout = new String(out, StandardCharsets.UTF_8);
        assertThat(running.exitValue())
                .as("claude exit code; stdout: %s; stderr: %s", stdout, Files.readString(home.resolve("stderr.txt")))
                .isZero();
        return Json.MAPPER.readTree(stdout);
    }

    static List<ReceivedRequest> inference() {
        return gw.simulator.received().stream()
                .filter(r -> r.operation() != null && r.operation().startsWith("invoke"))
                .toList();
    }

    @Test
    void anthropicFormatThroughAnthropicBaseUrl() throws Exception {
        JsonNode result = runClaude(Map.of("ANTHROPIC_BASE_URL", gw.url(), "ANTHROPIC_API_KEY", gw.apiKey));
        assertThat(result.get("is_error").asBoolean()).as(result.toString()).isFalse();
        assertThat(result.get("result").asText()).isEqualTo("Hello from the Bedrock simulator.");
        ReceivedRequest main = inference().get(inference().size() - 1);
        assertThat(main.signatureValid()).isTrue();
        assertThat(main.headers().toString()).doesNotContain(gw.apiKey);
        JsonNode body = Json.MAPPER.readTree(main.body());
        assertThat(body.get("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
        assertThat(body.get("anthropic_beta").isArray()).isTrue();
        assertThat(body.get("system").get(0).get("text").asText()).startsWith("x-anthropic-billing-header:");
    }

    @Test
    void bedrockFormatThroughAnthropicBedrockBaseUrl() throws Exception {
        JsonNode result = runClaude(Map.of(
                "CLAUDE_CODE_USE_BEDROCK",
                "1",
                "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
                "1",
                "ANTHROPIC_BEDROCK_BASE_URL",
                gw.url() + "/bedrock",
                "ANTHROPIC_AUTH_TOKEN",
                gw.apiKey,
                "AWS_REGION",
                "us-east-1"));
        assertThat(result.get("is_error").asBoolean()).as(result.toString()).isFalse();
        assertThat(result.get("result").asText()).isEqualTo("Hello from the Bedrock simulator.");
        ReceivedRequest main = inference().get(inference().size() - 1);
        assertThat(main.operation()).isEqualTo("invoke-with-response-stream");
        assertThat(main.signatureValid()).isTrue();
        assertThat(main.headers().toString()).doesNotContain(gw.apiKey);
        assertThat(Json.MAPPER.readTree(main.body()).get("anthropic_version").asText())
                .isEqualTo("bedrock-2023-05-31");
    }
}
