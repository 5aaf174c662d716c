package dev.bsg.gateway.store;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access JWTs revoked before their expiry. Checked on every request from memory; the set is reloaded
 * from the database every few seconds, so a revocation on one instance holds on all of them.
 */
public final class RevokedTokens implements AutoCloseable {
    private final Sql sql;
    private volatile Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final Thread reloader;

    public RevokedTokens(Sql sql, Duration reloadEvery) {
        this.sql = sql;
        reload();
        this.reloader = Thread.ofVirtual().name("revoked-tokens").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(reloadEvery);
                    reload();
                } catch (InterruptedException e) {
                    return;
                } catch (StoreException e) {
                    // keep the last known set while the database is away
                }
            }
        });
    }

    public boolean isRevoked(String jti) {
        return jti != null && revoked.contains(jti);
    }

    public void revoke(String jti, long expiresAtEpochSecond) {
        try {
            sql.update("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)", jti, expiresAtEpochSecond * 1000);
        } catch (StoreException e) {
            if (!e.isConflict()) throw e;
        }
        revoked.add(jti);
    }

    private void reload() {
        long now = System.currentTimeMillis();
        sql.update("DELETE FROM revoked_access_tokens WHERE expires_at < ?", now);
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        fresh.addAll(sql.list("SELECT jti FROM revoked_access_tokens", row -> row.getString(1)));
        revoked = fresh;
    }

    @Override
    public void close() {
        reloader.interrupt();
    }
}
