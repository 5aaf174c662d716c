package dev.bsg.gateway.store;

import dev.bsg.gateway.core.Secrets;

/**
 * Secrets the gateway makes for itself when the configuration gives none, kept in the database so
 * they survive restarts and are shared by every instance on the same database.
 */
public final class GatewaySecrets {
    private final Sql sql;

    public GatewaySecrets(Sql sql) {
        this.sql = sql;
    }

    /** The named secret, created (64 random base62 characters) the first time it is asked for. */
    public String getOrCreate(String name) {
        return sql.one("SELECT value FROM gateway_secrets WHERE name = ?", r -> r.getString(1), name)
                .orElseGet(() -> {
                    try {
                        sql.update(
                                "INSERT INTO gateway_secrets (name, value, created_at) VALUES (?, ?, ?)",
                                name,
                                Secrets.base62(64),
                                System.currentTimeMillis());
                    } catch (StoreException e) {
                        if (!e.isConflict()) throw e;
                    }
                    return sql.one("SELECT value FROM gateway_secrets WHERE name = ?", r -> r.getString(1), name)
                            .orElseThrow();
                });
    }
}
