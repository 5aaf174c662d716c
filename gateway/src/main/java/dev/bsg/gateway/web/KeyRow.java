package dev.bsg.gateway.web;

import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An API key as a page lists it. */
public record KeyRow(
        String id,
        String name,
        String hint,
        String owner,
        String team,
        String project,
        String status,
        String created,
        String expires,
        String lastUsed) {
    static KeyRow of(ApiKey key, long now) {
        return of(key, now, null);
    }

    static KeyRow of(ApiKey key, long now, Long lastUsed) {
        return new KeyRow(
                key.id(),
                key.name(),
                key.hint(),
                key.userEmail(),
                key.team(),
                key.project(),
                key.status(now),
                day(key.createdAt()),
                key.expiresAt() == null ? "never" : day(key.expiresAt()),
                lastUsed == null ? "never" : day(lastUsed));
    }

    static List<KeyRow> all(List<ApiKey> keys) {
        return all(keys, null);
    }

    /** With when each was last used, as the usage writer keeps it. */
    static List<KeyRow> withLastUse(List<ApiKey> keys, ApiKeyStore store) {
        return all(keys, store.lastUsedOf(keys.stream().map(ApiKey::id).toList()));
    }

    private static List<KeyRow> all(List<ApiKey> keys, Map<String, Long> lastUsed) {
        long now = System.currentTimeMillis();
        return keys.stream()
                .map(key -> lastUsed == null ? of(key, now) : of(key, now, lastUsed.get(key.id())))
                .toList();
    }

    public boolean active() {
        return status.equals("active");
    }

    static String day(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString().substring(0, 10);
    }
}
