package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Gateway sessions kept by {@code bsg login}: one entry per gateway URL, in a file only the user can
 * read ({@code ~/.config/bsg/credentials.json}, 0600), written atomically.
 */
final class CredentialFile {
    private final Path file;

    /** One gateway's session as stored. */
    record Entry(String gateway, String accessToken, long expiresAtEpochSecond, String refreshToken, String email) {}

    CredentialFile(Path file) {
        this.file = file;
    }

    static CredentialFile standard() {
        String configHome = System.getenv("XDG_CONFIG_HOME");
        Path base = configHome != null && !configHome.isBlank() ? Path.of(configHome) : Path.of(System.getProperty("user.home"), ".config");
        return new CredentialFile(base.resolve("bsg").resolve("credentials.json"));
    }

    Path path() {
        return file;
    }

    Entry read(String gateway) {
        ObjectNode all = load();
        JsonNode entry = gateway != null ? all.path("gateways").get(gateway) : all.path("gateways").get(all.path("default").asText(""));
        if (entry == null || entry.isMissingNode()) return null;
        return new Entry(entry.path("gateway").asText(), entry.path("access_token").asText(), entry.path("expires_at").asLong(),
                entry.path("refresh_token").asText(null), entry.path("email").asText(null));
    }

    void write(Entry entry) {
        ObjectNode all = load();
        ObjectNode gateways = all.has("gateways") ? (ObjectNode) all.get("gateways") : all.putObject("gateways");
        ObjectNode node = gateways.putObject(entry.gateway());
        node.put("gateway", entry.gateway());
        node.put("access_token", entry.accessToken());
        node.put("expires_at", entry.expiresAtEpochSecond());
        if (entry.refreshToken() != null) node.put("refresh_token", entry.refreshToken());
        if (entry.email() != null) node.put("email", entry.email());
        all.put("default", entry.gateway());
        save(all);
    }

    void remove(String gateway) {
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
            throw new CliException("the credentials file " + file + " is unreadable (" + e.getMessage() + "); delete it and run bsg login again");
        }
    }

    private void save(ObjectNode all) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "credentials", ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection applies
            }
            Files.write(temp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new CliException("can't write " + file + ": " + e.getMessage());
        }
    }
}
