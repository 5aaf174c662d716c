package dev.bsg.gateway.metering;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bsg.gateway.store.Sql;
import java.time.Duration;
import java.util.Optional;

/**
 * Settles a record's team and project, in the writer rather than on the hot path: the team is the
 * key's, else the user's; the project is the key's, else the {@code x-bsg-project} header the request
 * carried (a key pinned to a project can't be relabelled).
 */
public final class UsageTags {
    private record Tags(String team, String project) {}

    private final Sql sql;
    private final Cache<String, Optional<Tags>> keys = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(60))
            .build();
    private final Cache<String, Optional<String>> users = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(60))
            .build();

    public UsageTags(Sql sql) {
        this.sql = sql;
    }

    UsageRecord settle(UsageRecord record) {
        if (record.team() != null) return record; // settled before (a journal replay)
        Tags key = record.keyId() == null
                ? null
                : keys.get(
                                record.keyId(),
                                id -> sql.one(
                                        "SELECT team, project FROM api_keys WHERE id = ?",
                                        row -> new Tags(row.getString(1), row.getString(2)),
                                        id))
                        .orElse(null);
        String team = key != null && key.team() != null
                ? key.team()
                : record.userId() == null
                        ? null
                        : users.get(
                                        record.userId(),
                                        id -> sql.one(
                                                "SELECT team FROM users WHERE id = ?", row -> row.getString(1), id))
                                .orElse(null);
        String project = key != null && key.project() != null ? key.project() : record.project();
        return record.withTags(team == null ? "" : team, project);
    }

    public void forget() {
        keys.invalidateAll();
        users.invalidateAll();
    }
}
