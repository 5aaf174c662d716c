package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One profile's AWS credentials and IdP tokens between runs: {@code ~/.cache/bsg/aws-PROFILE.json}
 * (0600, written atomically), the secrets themselves in the OS keyring when the profile asks for it
 * and one is there (the file then only says so).
 */
final class AwsCredentialCache {
    /** What one sign-in and federation left behind. */
    record Cached(
            String accessKeyId,
            String secretAccessKey,
            String sessionToken,
            Instant expiration,
            String idToken,
            Instant idTokenExpiration,
            String refreshToken) {
        boolean credentialsValidFor(long seconds) {
            return accessKeyId != null
                    && expiration != null
                    && expiration.isAfter(Instant.now().plusSeconds(seconds));
        }

        boolean idTokenValidFor(long seconds) {
            return idToken != null
                    && idTokenExpiration != null
                    && idTokenExpiration.isAfter(Instant.now().plusSeconds(seconds));
        }
    }

    private final Path file;
    private final String account;

    AwsCredentialCache(Path file, String profile) {
        this.file = file;
        this.account = "aws-profile:" + profile;
    }

    static AwsCredentialCache forProfile(String profile) {
        return new AwsCredentialCache(CachedCredentials.cacheFile(profile), profile);
    }

    Path path() {
        return file;
    }

    /** What is cached, or null; a file that can't be read is removed (with a word on stderr) and counts as empty. */
    Cached read() {
        if (!Files.exists(file)) return null;
        try {
            JsonNode node = Json.MAPPER.readTree(file.toFile());
            JsonNode secrets = node;
            if (node.path("in_keyring").asBoolean()) {
                String stored = Keyring.platform().get(account);
                if (stored == null) return null;
                secrets = Json.MAPPER.readTree(stored);
            }
            return new Cached(
                    text(node, "AccessKeyId"),
                    text(secrets, "SecretAccessKey"),
                    text(secrets, "SessionToken"),
                    instant(node, "Expiration"),
                    text(secrets, "id_token"),
                    instant(node, "id_token_expiration"),
                    text(secrets, "refresh_token"));
        } catch (IOException | RuntimeException e) {
            System.err.println(
                    "bsg: the credential cache " + file + " was unreadable; it is cleared and you will sign in again");
            clear();
            return null;
        }
    }

    void write(Cached cached, boolean keyring) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("AccessKeyId", cached.accessKeyId());
        node.put("Expiration", cached.expiration().toString());
        node.put(
                "expires_epoch",
                cached.expiration().getEpochSecond()); // what the fast cached path compares (CachedCredentials)
        if (cached.idTokenExpiration() != null)
            node.put("id_token_expiration", cached.idTokenExpiration().toString());
        ObjectNode secrets = Json.MAPPER.createObjectNode();
        secrets.put("SecretAccessKey", cached.secretAccessKey());
        secrets.put("SessionToken", cached.sessionToken());
        if (cached.idToken() != null) secrets.put("id_token", cached.idToken());
        if (cached.refreshToken() != null) secrets.put("refresh_token", cached.refreshToken());
        Keyring store = keyring ? Keyring.ifWanted() : null;
        if (store != null && store.put(account, secrets.toString())) node.put("in_keyring", true);
        else node.setAll(secrets);
        PrivateFiles.write(file, node.toString().getBytes(StandardCharsets.UTF_8));
    }

    void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new CliException("can't remove " + file + ": " + e.getMessage());
        }
        Keyring keyring = Keyring.ifWanted();
        if (keyring != null) keyring.remove(account);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        return text == null ? null : Instant.parse(text);
    }
}
