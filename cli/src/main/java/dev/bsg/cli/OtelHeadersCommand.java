package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bsg otel-headers}: the person's identity as OpenTelemetry headers, for Claude Code's
 * {@code otelHeadersHelper}, from the ID token of the profile's sign-in (signing in when needed).
 */
@Command(
        name = "otel-headers",
        mixinStandardHelpOptions = true,
        description = "JSON headers naming the signed-in person, for Claude Code's otelHeadersHelper.")
final class OtelHeadersCommand implements Callable<Integer> {
    /** Optional claims passed on when the identity provider sends them: header → claim names tried in order. */
    private static final Map<String, String[]> OPTIONAL = Map.of(
            "x-department", new String[] {"department", "dept"},
            "x-team-id", new String[] {"team", "team_id", "teamId"},
            "x-cost-center", new String[] {"cost_center", "costCenter", "cost-center"},
            "x-organization", new String[] {"organization", "org"},
            "x-location", new String[] {"location", "office"},
            "x-role", new String[] {"job_title", "title", "role"},
            "x-manager", new String[] {"manager"});

    @Option(
            names = "--profile",
            defaultValue = "${env:BSG_PROFILE:-default}",
            description = "Profile in the organisation config (default: $BSG_PROFILE or default).")
    String profile;

    @Override
    public Integer call() throws IOException {
        String idToken = CredentialProcessCommand.current(
                        profile, c -> c.idTokenValidFor(CredentialProcessCommand.REUSE_MARGIN_SECONDS), false)
                .idToken();
        System.out.println(headers(claims(idToken)));
        return 0;
    }

    static String headers(JsonNode claims) {
        ObjectNode headers = Json.MAPPER.createObjectNode();
        String email =
                claims.path("email").asText(claims.path("preferred_username").asText(""));
        headers.put("x-user-email", email);
        headers.put("x-user-id", sha256(claims.path("sub").asText()));
        headers.put(
                "x-user-name",
                claims.path("name").asText(email.contains("@") ? email.substring(0, email.indexOf('@')) : email));
        for (Map.Entry<String, String[]> optional : new TreeMap<>(OPTIONAL).entrySet()) {
            for (String claim : optional.getValue()) {
                if (claims.hasNonNull(claim) && !claims.get(claim).asText().isBlank()) {
                    headers.put(optional.getKey(), claims.get(claim).asText());
                    break;
                }
            }
        }
        return headers.toString();
    }

    /** The ID token's claims; it was verified against the issuer's keys when it was obtained. */
    static JsonNode claims(String idToken) throws IOException {
        String[] parts = idToken.split("\\.");
        if (parts.length != 3)
            throw new CliException(
                    "the cached ID token is malformed; run bsg credential-process --clear-cache and sign in again");
        return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    /** A stable identifier that doesn't reveal the IdP's subject: the first 32 hex digits of its SHA-256. */
    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
