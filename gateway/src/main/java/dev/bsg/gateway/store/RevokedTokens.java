package dev.bsg.gateway.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access JWTs revoked before their expiry. Checked on every request from memory; the set is reloaded
 * from the database every few seconds, so a revocation on one instance holds on all of them.
 */
public final class RevokedTokens {
    private static final String SESSION = "session:";
    private final Sql sql;
    private volatile Set<String> revoked = ConcurrentHashMap.newKeySet();

    public RevokedTokens(Sql sql) {
        this.sql = sql;
        reload();
    }

    public boolean isRevoked(String jti) {
        return jti != null && revoked.contains(jti);
    }

    /** Whether the session (refresh-token family) an access token belongs to was revoked. */
    public boolean isSessionRevoked(String sessionId) {
        return sessionId != null && revoked.contains(SESSION + sessionId);
    }

    /** Revokes every access token of a session until the newest of them would expire. */
    public void revokeSession(String sessionId, long untilEpochMillis) {
        revoke(SESSION + sessionId, Math.floorDiv(untilEpochMillis + 999, 1000));
    }

    public void revoke(String jti, long expiresAtEpochSecond) {
        try {
            sql.update(
                    "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)",
                    jti,
                    expiresAtEpochSecond * 1000);
        } catch (StoreException e) {
            if (!e.isConflict()) throw e;
        }
        revoked.add(jti);
    }

    /** Picks up revocations made on other instances; run every few seconds by the gateway's background tasks. */
    public void reload() {
        long now = System.currentTimeMillis();
        sql.update("DELETE FROM revoked_access_tokens WHERE expires_at < ?", now);
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        fresh.addAll(sql.list("SELECT jti FROM revoked_access_tokens", row -> row.getString(1)));
        revoked = fresh;
    }
}
