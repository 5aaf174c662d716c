package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.protocol.translate.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A key made through a running gateway's admin API ({@code POST /api/admin/keys}), as an operator makes one. */
public final class AdminKeys {
    private AdminKeys() {}

    /** Makes a key for {@code email} (created if new) and returns it; {@code headers} go on the request too. */
    public static String make(HttpClient client, String url, String adminKey, String email, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/api/admin/keys"))
                .header("Authorization", "Bearer " + adminKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user_email\":\"" + email + "\",\"name\":\"test\"}"));
        if (headers.length > 0) request.headers(headers);
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Json.MAPPER.readTree(response.body()).path("key").asText();
    }
}
