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
import java.time.Instant;

/** The gateway's sign-in endpoints as the CLI uses them. */
final class GatewayClient {
    private final String gateway;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** An answer: status and JSON body. */
    record Answer(int status, JsonNode body) {
        String error() {
            return body.path("error").asText("");
        }
    }

    GatewayClient(String gateway) {
        this.gateway = gateway.replaceAll("/+$", "");
    }

    String gateway() {
        return gateway;
    }

    JsonNode discovery() {
        Answer answer = send(HttpRequest.newBuilder(URI.create(gateway + "/.well-known/oauth-authorization-server"))
                .GET());
        if (answer.status() != 200) {
            throw new CliException(gateway + " offers no sign-in ("
                    + answer.body().path("error_description").asText("HTTP " + answer.status())
                    + "); check the URL, or ask your administrator for an API key");
        }
        return answer.body();
    }

    Answer form(String url, String... pairs) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (body.length() > 0) body.append('&');
            body.append(pairs[i]).append('=').append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** The stored session after a token response. */
    CredentialFile.Entry entryFrom(JsonNode tokens) {
        return new CredentialFile.Entry(
                gateway,
                tokens.path("access_token").asText(),
                Instant.now().getEpochSecond() + tokens.path("expires_in").asLong(3600),
                tokens.path("refresh_token").asText(null),
                tokens.path("email").asText(null));
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(
                    request.timeout(Duration.ofSeconds(30))
                            .header("User-Agent", "bsg-cli")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(response.body());
            } catch (IOException e) {
                body = Json.MAPPER.createObjectNode();
            }
            return new Answer(response.statusCode(), body == null ? Json.MAPPER.createObjectNode() : body);
        } catch (ConnectException e) {
            throw new CliException("can't reach the gateway at " + gateway + ": check the URL and your network");
        } catch (IOException | InterruptedException | IllegalArgumentException e) {
            throw new CliException("request to " + gateway + " failed: " + e.getMessage());
        }
    }
}
