package dev.bsg.gateway.store;

import dev.bsg.gateway.core.Secrets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The gateway's refresh tokens. Opaque, stored as SHA-256, single use: redeeming one issues its
 * successor in the same family; redeeming an already used one revokes the family, so a stolen
 * token works at most until the rightful client next refreshes.
 */
public final class RefreshTokenStore {
    public static final String PREFIX = "bsgrt_";
    private final Sql sql;
    private final Duration lifetime;
    private final Clock clock;

    /** A freshly issued token (shown to the client once), its owner, and the sealed IdP refresh token it carries (may be null). */
    public record Issued(
            String token, String userId, String familyId, String sealedIdpToken, String subject, List<String> groups) {}

    /** What redeeming a token gave: the spent token's session (to build the next from), or why not. */
    public record Redeemed(Issued spent, String refusal) {}

    /** Access tokens of a revoked family stay refused this long: as long as the newest could still be valid. */
    private Duration accessLifetime = Duration.ZERO;

    private RevokedTokens revokedTokens;

    /** A family revoked for any reason (reuse, sign-out, refusal) also revokes the access tokens minted for it. */
    public RefreshTokenStore revokingAccessTokens(RevokedTokens revokedTokens, Duration accessLifetime) {
        this.revokedTokens = revokedTokens;
        this.accessLifetime = accessLifetime;
        return this;
    }

    public RefreshTokenStore(Sql sql, Duration lifetime, Clock clock) {
        this.sql = sql;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** Starts a session family; the subject and groups are carried to every refresh. */
    public Issued issue(String userId, String subject, List<String> groups, String sealedIdpToken) {
        return issue(userId, "rtf_" + UUID.randomUUID().toString().replace("-", ""), subject, groups, sealedIdpToken);
    }

    /** The next token of a family, with what the session knows now (groups may have changed at the IdP). */
    public Issued next(Issued previous, List<String> groups, String sealedIdpToken) {
        return issue(previous.userId(), previous.familyId(), previous.subject(), groups, sealedIdpToken);
    }

    private Issued issue(String userId, String familyId, String subject, List<String> groups, String sealedIdpToken) {
        String token = PREFIX + Secrets.base62(43);
        long now = clock.millis();
        sql.update(
                "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at, idp_refresh_token, groups_csv, subject) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "rt_" + UUID.randomUUID().toString().replace("-", ""),
                familyId,
                userId,
                Secrets.sha256(token),
                now,
                now + lifetime.toMillis(),
                sealedIdpToken,
                String.join(",", groups),
                subject);
        return new Issued(token, userId, familyId, sealedIdpToken, subject, groups);
    }

    private record Row(
            String id,
            String familyId,
            String userId,
            long expiresAt,
            Long usedAt,
            Long revokedAt,
            String sealedIdpToken,
            String subject,
            String groupsCsv) {}

    public Redeemed redeem(String token) {
        Optional<Row> found = sql.one(
                "SELECT id, family_id, user_id, expires_at, used_at, revoked_at, idp_refresh_token, subject, groups_csv "
                        + "FROM refresh_tokens WHERE token_hash = ?",
                r -> new Row(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getLong(4),
                        Sql.nullableLong(r, "used_at"),
                        Sql.nullableLong(r, "revoked_at"),
                        r.getString(7),
                        r.getString(8),
                        r.getString(9)),
                Secrets.sha256(token));
        if (found.isEmpty()) return new Redeemed(null, "unknown refresh token");
        Row row = found.get();
        long now = clock.millis();
        if (row.revokedAt() != null) return new Redeemed(null, "refresh token revoked");
        if (row.usedAt() != null) {
            revokeFamily(row.familyId());
            return new Redeemed(null, "refresh token reused; the whole session was revoked");
        }
        if (row.expiresAt() <= now) return new Redeemed(null, "refresh token expired");
        // Only one redeemer wins a race for the same token; the loser is treated as reuse.
        if (sql.update("UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL", now, row.id()) != 1) {
            revokeFamily(row.familyId());
            return new Redeemed(null, "refresh token reused; the whole session was revoked");
        }
        List<String> groups = row.groupsCsv() == null || row.groupsCsv().isEmpty()
                ? List.of()
                : List.of(row.groupsCsv().split(","));
        return new Redeemed(
                new Issued(null, row.userId(), row.familyId(), row.sealedIdpToken(), row.subject(), groups), null);
    }

    public void revokeFamilyOf(Issued issued) {
        revokeFamily(issued.familyId());
    }

    /** Revokes the family the token belongs to (sign-out); unknown tokens are ignored, as RFC 7009 asks. */
    public boolean revoke(String token) {
        Optional<String> family = sql.one(
                "SELECT family_id FROM refresh_tokens WHERE token_hash = ?",
                r -> r.getString(1),
                Secrets.sha256(token));
        family.ifPresent(this::revokeFamily);
        return family.isPresent();
    }

    public void revokeUser(String userId) {
        sql.update(
                "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                clock.millis(),
                userId);
    }

    private void revokeFamily(String familyId) {
        sql.update(
                "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
                clock.millis(),
                familyId);
        if (revokedTokens != null) revokedTokens.revokeSession(familyId, clock.millis() + accessLifetime.toMillis());
    }
}
