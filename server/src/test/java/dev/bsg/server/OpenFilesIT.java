package dev.bsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bsg.gateway.AdminKeys;
import dev.bsg.gateway.ComposeProxy;
import dev.bsg.simulator.BedrockSimulator;
import dev.bsg.simulator.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway at its open-file limit: with its soft limit lowered (prlimit on the running process) just above
 * what it holds, concurrent streams need more sockets than it may open. Those that cannot reach Bedrock get a
 * clean 503 in the Anthropic envelope, the log says why and what to do, and once files are free again it serves
 * as before.
 */
class OpenFilesIT {
    private static final String ADMIN_KEY = "open-files-admin-key-" + System.nanoTime();
    private static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void streamsBeyondTheOpenFileLimitGetA503AndTheGatewayRecovers(@TempDir Path dir) throws Exception {
        try (BedrockSimulator simulator = BedrockSimulator.start()) {
            // Three seconds a stream, so the ones admitted hold their sockets while the rest arrive.
            simulator.defaultReply(
                    Reply.text("one two three four").withDeltas(4).withPacing(Duration.ZERO, Duration.ofMillis(400)));
            Map<String, String> env = new HashMap<>(simulator.gatewayEnvironment());
            env.put("BSG_DATABASE__URL", "jdbc:sqlite:" + dir.resolve("bsg.db"));
            env.put("BSG_ADMIN__API_KEYS", ADMIN_KEY);
            env.put("BSG_UPSTREAM__REGIONS", "us-east-1");
            env.put("BSG_METERING__JOURNAL_DIR", dir.resolve("journal").toString());
            ServeProcess serve = ServeProcess.start(env, ComposeProxy.freePort(), ComposeProxy.freePort());
            try (HttpClient http = HttpClient.newHttpClient()) {
                String key = AdminKeys.make(http, serve.url(), ADMIN_KEY, "files@example.com");
                assertThat(stream(http, serve, key).join().statusCode()).isEqualTo(200); // every path loaded once
                long pid = serve.process().pid();
                long open = openFiles(pid);
                String hard = limits(pid, null).trim().split("\\s+")[1];

                limits(pid, (open + 9) + ":" + hard);
                List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
                for (int i = 0; i < 16; i++) streams.add(stream(http, serve, key));
                List<HttpResponse<String>> answers =
                        streams.stream().map(CompletableFuture::join).toList();
                limits(pid, hard + ":" + hard);

                List<HttpResponse<String>> refused =
                        answers.stream().filter(r -> r.statusCode() != 200).toList();
                assertThat(refused).isNotEmpty().allSatisfy(r -> {
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(r.body())
                            .startsWith("{\"type\":\"error\"")
                            .contains("api_error", "open-file limit")
                            .doesNotContain("Exception", "at dev.");
                });
                assertThat(answers.stream().filter(r -> r.statusCode() == 200))
                        .isNotEmpty()
                        .allSatisfy(r -> assertThat(r.body()).contains("message_stop"));
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(Files.readString(serve.log()))
                                .contains("out of open files (limit ", "raise the limit", "docs/operations.md"));

                // Files free again: the next streams are served as before.
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> again = stream(http, serve, key).join();
                    assertThat(again.statusCode()).isEqualTo(200);
                    assertThat(again.body()).contains("message_stop");
                }
                assertThat(ServeProcess.status(serve.managementUrl() + "/readyz"))
                        .isEqualTo(200);
            } finally {
                serve.stop();
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> stream(HttpClient http, ServeProcess serve, String key) {
        return http.sendAsync(
                HttpRequest.newBuilder(URI.create(serve.url() + "/v1/messages"))
                        .header("x-api-key", key)
                        .header("anthropic-version", "2023-06-01")
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(STREAM))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long openFiles(long pid) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return files.count();
        }
    }

    /** Sets the process's open-file limits ("SOFT:HARD"), or with null prints them ("SOFT HARD"). */
    private static String limits(long pid, String soft) throws Exception {
        List<String> command = new ArrayList<>(List.of("prlimit", "--pid", Long.toString(pid), "--noheadings"));
        command.add(soft == null ? "--nofile" : "--nofile=" + soft);
        if (soft == null) command.addAll(List.of("--output", "SOFT,HARD"));
        Process prlimit = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(prlimit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(prlimit.waitFor()).as("prlimit: %s", output).isZero();
        return output;
    }
}
