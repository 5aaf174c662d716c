package dev.bsg.gateway.store;

import dev.bsg.gateway.core.Secrets;
import java.time.Duration;
import java.util.Optional;

/** Sign-ins waiting for the identity provider's callback, keyed by a hash of their state; each is taken once. */
public final class PendingSignIns {
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    private final Sql sql;

    /** What the callback needs: the nonce and PKCE verifier (sealed) it started with, and the device it approves, if any. */
    public record Pending(String nonce, String sealedVerifier, String deviceGrantId) {}

    public PendingSignIns(Sql sql) {
        this.sql = sql;
    }

    public void put(String state, Pending pending) {
        long now = System.currentTimeMillis();
        sql.update("DELETE FROM pending_sign_ins WHERE expires_at < ?", now);
        sql.update(
                "INSERT INTO pending_sign_ins (state_hash, nonce, sealed_verifier, device_grant_id, expires_at) VALUES (?, ?, ?, ?, ?)",
                Secrets.sha256(state),
                pending.nonce(),
                pending.sealedVerifier(),
                pending.deviceGrantId(),
                now + LIFETIME.toMillis());
    }

    /** The pending sign-in for this state, removed so it can't be used twice; empty when unknown or expired. */
    public Optional<Pending> take(String state) {
        String hash = Secrets.sha256(state);
        Optional<Pending> found = sql.one(
                "SELECT nonce, sealed_verifier, device_grant_id FROM pending_sign_ins WHERE state_hash = ? AND expires_at >= ?",
                r -> new Pending(r.getString(1), r.getString(2), r.getString(3)),
                hash,
                System.currentTimeMillis());
        if (found.isEmpty()) return found;
        return sql.update("DELETE FROM pending_sign_ins WHERE state_hash = ?", hash) == 1 ? found : Optional.empty();
    }
}
