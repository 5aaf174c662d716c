package dev.bsg.gateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

public final class ApiKeyStore {
    private static final String SELECT =
            "SELECT k.id, k.user_id, u.email, k.name, k.key_hint, k.created_at, k.expires_at, k.revoked_at, u.disabled, k.team, k.project, u.groups_csv "
                    + "FROM api_keys k JOIN users u ON u.id = k.user_id ";
    private final Sql sql;

    public ApiKeyStore(Sql sql) {
        this.sql = sql;
    }

    private static ApiKey map(ResultSet row) throws SQLException {
        return new ApiKey(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                row.getLong(6),
                Sql.nullableLong(row, "expires_at"),
                Sql.nullableLong(row, "revoked_at"),
                row.getBoolean(9),
                row.getString(10),
                row.getString(11),
                UserStore.groups(row.getString(12)));
    }

    public ApiKey create(String userId, String name, String keyHash, String hint, Long expiresAt) {
        return create(userId, name, keyHash, hint, expiresAt, null, null);
    }

    public ApiKey create(
            String userId, String name, String keyHash, String hint, Long expiresAt, String team, String project) {
        String id = "key_" + UUID.randomUUID().toString().replace("-", "");
        sql.update(
                "INSERT INTO api_keys (id, user_id, name, key_hash, key_hint, created_at, expires_at, team, project) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                userId,
                name,
                keyHash,
                hint,
                System.currentTimeMillis(),
                expiresAt,
                team,
                project);
        return byId(id).orElseThrow();
    }

    public Optional<ApiKey> byHash(String keyHash) {
        return sql.one(SELECT + "WHERE k.key_hash = ?", ApiKeyStore::map, keyHash);
    }

    public Optional<ApiKey> byId(String id) {
        return sql.one(SELECT + "WHERE k.id = ?", ApiKeyStore::map, id);
    }

    public List<ApiKey> all() {
        return sql.list(SELECT + "ORDER BY k.created_at", ApiKeyStore::map);
    }

    public List<ApiKey> ofUser(String userId) {
        return sql.list(SELECT + "WHERE k.user_id = ? ORDER BY k.created_at", ApiKeyStore::map, userId);
    }

    /** When each of these keys was last used (epoch ms); unused keys absent. */
    public Map<String, Long> lastUsedOf(List<String> ids) {
        Map<String, Long> last = new HashMap<>();
        if (ids.isEmpty()) return last;
        sql.list(
                "SELECT id, last_used_at FROM api_keys WHERE last_used_at IS NOT NULL AND id IN ("
                        + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")",
                row -> last.put(row.getString(1), row.getLong(2)),
                ids.toArray());
        return last;
    }

    public int activeCount(String userId) {
        return (int) ofUser(userId).stream()
                .filter(k -> k.usableAt(System.currentTimeMillis()))
                .count();
    }

    public boolean revoke(String id) {
        return sql.update(
                        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                        System.currentTimeMillis(),
                        id)
                == 1;
    }
}
