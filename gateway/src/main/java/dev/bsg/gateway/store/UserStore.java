package dev.bsg.gateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

public final class UserStore {
    private static final String COLUMNS = "id, email, name, disabled, created_at, team";
    private final Sql sql;

    public UserStore(Sql sql) {
        this.sql = sql;
    }

    private static User map(ResultSet row) throws SQLException {
        return new User(
                row.getString("id"),
                row.getString("email"),
                row.getString("name"),
                row.getBoolean("disabled"),
                row.getLong("created_at"),
                row.getString("team"));
    }

    public Optional<User> byEmail(String email) {
        return sql.one(
                "SELECT " + COLUMNS + " FROM users WHERE email = ?", UserStore::map, email.toLowerCase(Locale.ROOT));
    }

    public Optional<User> byId(String id) {
        return sql.one("SELECT " + COLUMNS + " FROM users WHERE id = ?", UserStore::map, id);
    }

    /** A person as a list shows them: with the groups of their last sign-in. */
    public record Listed(User user, List<String> groups) {}

    /** One query: the first {@code limit} people (by email) whose email, name or team holds {@code q} (any when null). */
    public List<Listed> search(String q, int limit) {
        String like = q == null
                ? "%"
                : "%" + q.toLowerCase(Locale.ROOT).replace("%", "").replace("_", "") + "%";
        return sql.list(
                "SELECT " + COLUMNS + ", groups_csv FROM users WHERE email LIKE ? OR lower(COALESCE(name, '')) LIKE ? "
                        + "OR lower(COALESCE(team, '')) LIKE ? ORDER BY email LIMIT ?",
                row -> new Listed(map(row), groups(row.getString("groups_csv"))),
                like,
                like,
                like,
                limit);
    }

    /** How many people {@link #search} would find without its limit. */
    public int count(String q) {
        String like = q == null
                ? "%"
                : "%" + q.toLowerCase(Locale.ROOT).replace("%", "").replace("_", "") + "%";
        return sql.one(
                        "SELECT COUNT(*) FROM users WHERE email LIKE ? OR lower(COALESCE(name, '')) LIKE ? "
                                + "OR lower(COALESCE(team, '')) LIKE ?",
                        row -> row.getInt(1),
                        like,
                        like,
                        like)
                .orElse(0);
    }

    public List<User> all() {
        return sql.list("SELECT " + COLUMNS + " FROM users ORDER BY email", UserStore::map);
    }

    /** The user with this email, created on first sight; safe when two instances race. */
    public User findOrCreate(String email, String name) {
        String normal = email.toLowerCase(Locale.ROOT);
        Optional<User> existing = byEmail(normal);
        if (existing.isPresent()) return existing.get();
        long now = System.currentTimeMillis();
        try {
            sql.update(
                    "INSERT INTO users (id, email, name, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    "usr_" + UUID.randomUUID().toString().replace("-", ""),
                    normal,
                    Columns.fit(name, 200),
                    false,
                    now,
                    now);
        } catch (StoreException e) {
            if (!e.isConflict()) throw e;
        }
        return byEmail(normal).orElseThrow();
    }

    /** Remembers the IdP groups of a sign-in, so group limits also apply to the user's API keys. */
    public void setGroups(String id, List<String> groups) {
        sql.update("UPDATE users SET groups_csv = ? WHERE id = ?", Columns.fit(String.join(",", groups), 4000), id);
    }

    public List<String> groupsOf(String id) {
        return sql.one("SELECT groups_csv FROM users WHERE id = ?", row -> groups(row.getString(1)), id)
                .orElse(List.of());
    }

    public boolean setTeam(String id, String team) {
        return sql.update(
                        "UPDATE users SET team = ?, updated_at = ? WHERE id = ?", team, System.currentTimeMillis(), id)
                == 1;
    }

    static List<String> groups(String csv) {
        return csv == null || csv.isEmpty() ? List.of() : List.of(csv.split(","));
    }

    public boolean setDisabled(String id, boolean disabled) {
        return sql.update(
                        "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?",
                        disabled,
                        System.currentTimeMillis(),
                        id)
                == 1;
    }

    public boolean rename(String id, String name) {
        return sql.update(
                        "UPDATE users SET name = ?, updated_at = ? WHERE id = ?",
                        Columns.fit(name, 200),
                        System.currentTimeMillis(),
                        id)
                == 1;
    }
}
