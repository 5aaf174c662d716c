package dev.bsg.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gateway sessions kept by {@code bsg login}: one entry per gateway URL in
 * {@code ~/.config/bsg/credentials.json} (0600, written atomically). The tokens themselves go to the
 * OS keyring when there is one; the file then only says where they are.
 */
final class CredentialFile {
    private final Path file;
    private final Keyring keyring;

    /** One gateway's session as stored. */
    record Entry(String gateway, String accessToken, long expiresAtEpochSecond, String refreshToken, String email) {}

    CredentialFile(Path file, Keyring keyring) {
        this.file = file;
        this.keyring = keyring;
    }

    static CredentialFile standard() {
        return new CredentialFile(CachedSession.credentialsFile(), Keyring.ifWanted());
    }

    /** bsg's own configuration directory: {@code $XDG_CONFIG_HOME/bsg}, else ~/.config/bsg. */
    static Path configDirectory() {
        return CachedSession.configDirectory();
    }

    Path path() {
        return file;
    }

    Entry read(String gateway) {
        ObjectNode all = load();
        JsonNode entry = gateway != null
                ? all.path("gateways").get(gateway)
                : all.path("gateways").get(all.path("default").asText(""));
        if (entry == null || entry.isMissingNode()) return null;
        JsonNode tokens = entry;
        if (entry.path("in_keyring").asBoolean()) {
            String stored =
                    keyring == null ? null : keyring.get(entry.path("gateway").asText());
            if (stored == null)
                throw new CliException(
                        "your tokens are in the OS keyring, which can't be read now (is it locked?); unlock it, or run bsg login again");
            try {
                tokens = Json.MAPPER.readTree(stored);
            } catch (IOException e) {
                throw new CliException("the tokens in the OS keyring are unreadable; run bsg login again");
            }
        }
        return new Entry(
                entry.path("gateway").asText(),
                tokens.path("access_token").asText(),
                entry.path("expires_at").asLong(),
                tokens.path("refresh_token").asText(null),
                entry.path("email").asText(null));
    }

    void write(Entry entry) {
        ObjectNode all = load();
        ObjectNode gateways = all.has("gateways") ? (ObjectNode) all.get("gateways") : all.putObject("gateways");
        ObjectNode node = gateways.putObject(entry.gateway());
        node.put("gateway", entry.gateway());
        node.put("expires_at", entry.expiresAtEpochSecond());
        if (entry.email() != null) node.put("email", entry.email());
        ObjectNode tokens = Json.MAPPER.createObjectNode();
        tokens.put("access_token", entry.accessToken());
        if (entry.refreshToken() != null) tokens.put("refresh_token", entry.refreshToken());
        if (keyring != null && keyring.put(entry.gateway(), tokens.toString())) node.put("in_keyring", true);
        else node.setAll(tokens);
        all.put("default", entry.gateway());
        save(all);
    }

    void remove(String gateway) {
        if (keyring != null) keyring.remove(gateway);
        ObjectNode all = load();
        if (all.has("gateways")) ((ObjectNode) all.get("gateways")).remove(gateway);
        if (gateway.equals(all.path("default").asText())) all.remove("default");
        save(all);
    }

    private ObjectNode load() {
        if (!Files.exists(file)) return Json.MAPPER.createObjectNode();
        try {
            JsonNode node = Json.MAPPER.readTree(file.toFile());
            return node instanceof ObjectNode object ? object : Json.MAPPER.createObjectNode();
        } catch (IOException e) {
            throw new CliException("the credentials file " + file + " is unreadable (" + e.getMessage()
                    + "); delete it and run bsg login again");
        }
    }

    private void save(ObjectNode all) {
        try {
            PrivateFiles.write(
                    file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
        } catch (JsonProcessingException e) {
            throw new CliException("can't write " + file + ": " + e.getMessage());
        }
    }
}
