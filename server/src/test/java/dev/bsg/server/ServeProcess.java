package dev.bsg.server;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code bsg serve} as its own process, on this test's class path, started and ready (its log in {@code log}). */
record ServeProcess(Process process, int port, int managementPort, Path log) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static ServeProcess start(Map<String, String> env, int port, int managementPort) throws Exception {
        Path log = Files.createTempFile("bsg-serve", ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.bsg.server.ServerMain",
                        "serve")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("BSG_SERVER__PORT", Integer.toString(port));
        builder.environment().put("BSG_SERVER__MANAGEMENT_PORT", Integer.toString(managementPort));
        ServeProcess serve = new ServeProcess(builder.start(), port, managementPort, log);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> status(serve.managementUrl() + "/readyz") == 200);
        return serve;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
    }

    /** The status a GET answers, or -1 when nothing answers. */
    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
