package dev.bsg.gateway.web;

import dev.bsg.gateway.store.ApiKey;
import java.time.Instant;
import java.util.List;

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
        String expires) {
    static KeyRow of(ApiKey key, long now) {
        return new KeyRow(
                key.id(),
                key.name(),
                key.hint(),
                key.userEmail(),
                key.team(),
                key.project(),
                key.revokedAt() != null ? "revoked" : key.usableAt(now) ? "active" : "inactive",
                day(key.createdAt()),
                key.expiresAt() == null ? "never" : day(key.expiresAt()));
    }

    static List<KeyRow> all(List<ApiKey> keys) {
        long now = System.currentTimeMillis();
        return keys.stream().map(key -> of(key, now)).toList();
    }

    public boolean active() {
        return status.equals("active");
    }

    static String day(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString().substring(0, 10);
    }
}
