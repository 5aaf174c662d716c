package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Administer a running gateway through its admin API.",
        subcommands = {
            AdminCommand.Keys.class,
            AdminCommand.Users.class,
            UsageCommand.class,
            ProductivityCommand.class,
            ExportCommand.class,
            PricesCommand.class,
            LimitsCommand.class
        })
final class AdminCommand {
    // Inherited: they may come before or after the subcommand (bsg admin keys list --url X).
    @Option(
            names = "--url",
            scope = ScopeType.INHERIT,
            description = "Gateway URL (default: $BSG_URL or http://127.0.0.1:8080).")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, description = "Admin key (default: $BSG_ADMIN_TOKEN).")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the API's JSON instead of a table.")
    boolean json;

    JsonNode call(String method, String path, Object body) {
        return parse(send(method, path, "application/json", body == null ? null : Json.bytes(body)));
    }

    JsonNode parse(HttpResponse<byte[]> response) {
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new CliException("the gateway answered " + response.statusCode()
                    + " with something that is not JSON: is " + base() + " a bsg gateway?");
        }
        return answer;
    }

    /** Any request; an error answer becomes a {@link CliException} with the gateway's message. */
    HttpResponse<byte[]> send(String method, String path, String contentType, byte[] body) {
        String base = base();
        String credential = token != null ? token : System.getenv("BSG_ADMIN_TOKEN");
        if (credential == null || credential.isBlank())
            throw new CliException("no admin key: pass --token or set BSG_ADMIN_TOKEN to a key from admin.api_keys");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + credential)
                .header("Content-Type", contentType)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> response;
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CliException("can't reach the gateway at " + base
                    + ": is it running? (start it with ./bsg serve, or pass --url)");
        } catch (IOException | InterruptedException | IllegalArgumentException e) {
            throw new CliException("request to " + base + " failed: " + e.getMessage());
        }
        if (response.statusCode() >= 400) {
            String message = "HTTP " + response.statusCode();
            try {
                JsonNode answer = Json.MAPPER.readTree(response.body());
                message = answer.path("error")
                        .path("message")
                        .asText(answer.path("message").asText(message));
            } catch (IOException e) {
                // not JSON: keep the status
            }
            if (response.statusCode() == 401 || response.statusCode() == 403)
                message += " (check --token / BSG_ADMIN_TOKEN)";
            throw new CliException(message);
        }
        return response;
    }

    private String base() {
        return (url != null ? url : System.getenv().getOrDefault("BSG_URL", "http://127.0.0.1:8080"))
                .replaceAll("/+$", "");
    }

    void print(JsonNode answer, List<String> columns) {
        if (json) {
            System.out.println(answer.toPrettyString());
            return;
        }
        JsonNode rows = answer.has("data")
                ? answer.get("data")
                : Json.MAPPER.createArrayNode().add(answer);
        Table.print(System.out, columns, rows);
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "API keys.")
    static final class Keys {
        @ParentCommand
        AdminCommand admin;

        @Command(
                name = "create",
                mixinStandardHelpOptions = true,
                description = "Create a key for a user (created when new); prints the key once.")
        int create(
                @Option(names = "--user", required = true, description = "The user's email.") String email,
                @Option(names = "--name", defaultValue = "default", description = "A name for the key.") String name,
                @Option(names = "--expires", description = "Expiry, ISO-8601 (e.g. 2027-01-31T00:00:00Z).")
                        String expires,
                @Option(names = "--team", description = "Report this key's usage under a team.") String team,
                @Option(names = "--project", description = "Report this key's usage under a project.") String project) {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("user_email", email, "name", name));
            if (expires != null) body.put("expires_at", expires);
            if (team != null) body.put("team", team);
            if (project != null) body.put("project", project);
            JsonNode key = admin.call("POST", "/api/admin/keys", body);
            if (admin.json) System.out.println(key.toPrettyString());
            else {
                System.out.println(key.path("key").asText());
                System.err.println(
                        "bsg: key " + key.path("id").asText() + " for " + email + "; it is shown only this once.");
            }
            return 0;
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys.")
        int list(@Option(names = "--user", description = "Only this user's keys.") String email) {
            String query = email == null ? "" : "?user_email=" + URLEncoder.encode(email, StandardCharsets.UTF_8);
            admin.print(
                    admin.call("GET", "/api/admin/keys" + query, null),
                    List.of("id", "user_email", "name", "hint", "status", "created_at", "expires_at"));
            return 0;
        }

        @Command(
                name = "revoke",
                mixinStandardHelpOptions = true,
                description = "Revoke a key; it stops working at once.")
        int revoke(@Parameters(paramLabel = "KEY_ID") String id) {
            admin.call("DELETE", "/api/admin/keys/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
            System.out.println("revoked " + id);
            return 0;
        }
    }

    @Command(name = "users", mixinStandardHelpOptions = true, description = "Users.")
    static final class Users {
        @ParentCommand
        AdminCommand admin;

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List users.")
        int list() {
            admin.print(
                    admin.call("GET", "/api/admin/users", null),
                    List.of("id", "email", "name", "disabled", "created_at"));
            return 0;
        }

        @Command(
                name = "disable",
                mixinStandardHelpOptions = true,
                description = "Disable a user: all their keys stop working.")
        int disable(@Parameters(paramLabel = "USER", description = "Email or user id.") String user) {
            admin.call(
                    "PATCH",
                    "/api/admin/users/" + URLEncoder.encode(user, StandardCharsets.UTF_8),
                    Map.of("disabled", true));
            System.out.println("disabled " + user);
            return 0;
        }

        @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled user again.")
        int enable(@Parameters(paramLabel = "USER", description = "Email or user id.") String user) {
            admin.call(
                    "PATCH",
                    "/api/admin/users/" + URLEncoder.encode(user, StandardCharsets.UTF_8),
                    Map.of("disabled", false));
            System.out.println("enabled " + user);
            return 0;
        }
    }
}
