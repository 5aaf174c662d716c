package dev.bsg.gateway.store;

import java.util.List;

/** An API key's record; the key itself is never stored, only its SHA-256. */
public record ApiKey(
        String id,
        String userId,
        String userEmail,
        String name,
        String hint,
        long createdAt,
        Long expiresAt,
        Long revokedAt,
        boolean userDisabled,
        String team,
        String project,
        List<String> userGroups) {

    /** What the key is at {@code now}: revoked, active, or inactive (expired, or its user disabled). */
    public String status(long now) {
        return revokedAt != null ? "revoked" : usableAt(now) ? "active" : "inactive";
    }

    public boolean usableAt(long now) {
        return revokedAt == null && !userDisabled && (expiresAt == null || expiresAt > now);
    }
}
