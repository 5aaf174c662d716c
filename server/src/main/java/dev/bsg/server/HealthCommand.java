package dev.bsg.server;

import dev.bsg.gateway.settings.SettingsException;
import dev.bsg.gateway.settings.SettingsLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The container's health check: the image carries no shell and no curl, so the JVM it already has asks the
 * gateway's own {@code /healthz} on the loopback.
 */
@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        description = "Exit 0 when the gateway on this machine answers /healthz (the container's health check).")
public final class HealthCommand implements Callable<Integer> {
    @Option(
            names = "--url",
            description = "Address to ask (default: /healthz on the loopback, at server.port of the configuration"
                    + " serve reads: $BSG_CONFIG and BSG_ variables).")
    String url;

    @Override
    public Integer call() {
        URI target;
        try {
            target = URI.create(url != null ? url : "http://127.0.0.1:" + configuredPort() + "/healthz");
        } catch (SettingsException e) {
            System.err.println("bsg health: " + e.getMessage());
            return 1;
        }
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(target)
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) return 0;
            System.err.println("bsg health: " + target + " answered " + response.statusCode());
        } catch (Exception e) {
            System.err.println("bsg health: " + target + " did not answer (" + e + ")");
        }
        return 1;
    }

    private static int configuredPort() {
        return SettingsLoader.load(ServeCommand.configFromEnvironment(System.getenv()), System.getenv())
                .server()
                .port();
    }
}
