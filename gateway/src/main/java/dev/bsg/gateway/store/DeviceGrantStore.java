package dev.bsg.gateway.store;

import dev.bsg.gateway.core.Secrets;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Device authorization grants (RFC 8628): created by a device, approved in a browser, redeemed once by the device. */
public final class DeviceGrantStore {
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    public static final int INTERVAL_SECONDS = 5;
    private static final String USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Sql sql;
    private final Clock clock;

    /** PENDING until someone signs in for it, SIGNED_IN until they confirm the code on the gateway's page, then APPROVED. */
    public enum Status {
        PENDING,
        SIGNED_IN,
        APPROVED,
        DENIED,
        REDEEMED
    }

    public record Grant(
            String id,
            String userCode,
            Status status,
            String userId,
            String subject,
            List<String> groups,
            long expiresAt,
            Long lastPolledAt,
            String sealedIdpToken,
            String requester,
            String requesterIp,
            long createdAt) {}

    /** The codes handed to the device; the device code is shown only this once. */
    public record Issued(String deviceCode, String userCode, long expiresInSeconds) {}

    public DeviceGrantStore(Sql sql, Clock clock) {
        this.sql = sql;
        this.clock = clock;
    }

    /** {@code requester}: what the asking program says it is (shown to the person who approves); {@code ip}: where it asked from. */
    public Issued create(String requester, String ip) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String deviceCode = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        long now = clock.millis();
        for (int attempt = 0; ; attempt++) {
            String userCode = userCode();
            try {
                sql.update(
                        "INSERT INTO device_grants (id, device_code_hash, user_code, status, created_at, expires_at, requester, requester_ip) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        "dg_" + UUID.randomUUID().toString().replace("-", ""),
                        Secrets.sha256(deviceCode),
                        userCode,
                        Status.PENDING.name(),
                        now,
                        now + LIFETIME.toMillis(),
                        Columns.fit(requester, 200),
                        Columns.fit(ip, 64));
                return new Issued(deviceCode, userCode, LIFETIME.toSeconds());
            } catch (StoreException e) {
                if (!e.isConflict() || attempt > 5) throw e;
            }
        }
    }

    /** Normalises what a person typed: case, spaces and the dash don't matter. */
    public static String normaliseUserCode(String typed) {
        if (typed == null) return null;
        String letters = typed.toUpperCase(Locale.ROOT).replaceAll("[^A-Z]", "");
        return letters.length() == 8 ? letters.substring(0, 4) + "-" + letters.substring(4) : null;
    }

    public Optional<Grant> byUserCode(String userCode) {
        return sql.one(SELECT + "WHERE user_code = ?", DeviceGrantStore::map, userCode)
                .filter(this::live);
    }

    public Optional<Grant> byDeviceCode(String deviceCode) {
        return sql.one(SELECT + "WHERE device_code_hash = ?", DeviceGrantStore::map, Secrets.sha256(deviceCode));
    }

    public boolean expired(Grant grant) {
        return grant.expiresAt() <= clock.millis();
    }

    /** Someone signed in for the grant; it waits for them to confirm the code with the confirmation whose hash is given. */
    public boolean signedIn(
            String id, String userId, String subject, List<String> groups, String sealedIdpToken, String confirmHash) {
        return sql.update(
                        "UPDATE device_grants SET status = ?, user_id = ?, subject = ?, groups_csv = ?, idp_refresh_token = ?, confirm_hash = ? "
                                + "WHERE id = ? AND status = ? AND expires_at > ?",
                        Status.SIGNED_IN.name(),
                        userId,
                        subject,
                        Columns.fit(String.join(",", groups), 4000),
                        sealedIdpToken,
                        confirmHash,
                        id,
                        Status.PENDING.name(),
                        clock.millis())
                == 1;
    }

    /** The signed-in grant waiting for this confirmation; empty when unknown, used or expired. */
    public Optional<Grant> byConfirmation(String confirmation) {
        if (confirmation == null || confirmation.isEmpty()) return Optional.empty();
        return sql.one(SELECT + "WHERE confirm_hash = ?", DeviceGrantStore::map, Secrets.sha256(confirmation))
                .filter(g -> g.status() == Status.SIGNED_IN && !expired(g));
    }

    /** The person confirmed the code: the device's next poll gets its tokens. */
    public boolean approve(String id) {
        return sql.update(
                        "UPDATE device_grants SET status = ? WHERE id = ? AND status = ?",
                        Status.APPROVED.name(),
                        id,
                        Status.SIGNED_IN.name())
                == 1;
    }

    public boolean deny(String id) {
        return sql.update(
                        "UPDATE device_grants SET status = ? WHERE id = ? AND status IN (?, ?)",
                        Status.DENIED.name(),
                        id,
                        Status.PENDING.name(),
                        Status.SIGNED_IN.name())
                == 1;
    }

    /** Exactly one poll wins the approved grant. */
    public boolean redeem(String id) {
        return sql.update(
                        "UPDATE device_grants SET status = ? WHERE id = ? AND status = ?",
                        Status.REDEEMED.name(),
                        id,
                        Status.APPROVED.name())
                == 1;
    }

    /** Records a poll; true when it came sooner than the interval allows (the client must slow down). */
    public boolean pollTooSoon(Grant grant) {
        long now = clock.millis();
        sql.update("UPDATE device_grants SET last_polled_at = ? WHERE id = ?", now, grant.id());
        return grant.lastPolledAt() != null && now - grant.lastPolledAt() < (INTERVAL_SECONDS * 1000L) - 500;
    }

    private boolean live(Grant grant) {
        return !expired(grant) && grant.status() == Status.PENDING;
    }

    private static final String SELECT =
            "SELECT id, user_code, status, user_id, subject, groups_csv, expires_at, last_polled_at, idp_refresh_token, "
                    + "requester, requester_ip, created_at FROM device_grants ";

    private static Grant map(ResultSet row) throws SQLException {
        String groups = row.getString(6);
        return new Grant(
                row.getString(1),
                row.getString(2),
                Status.valueOf(row.getString(3)),
                row.getString(4),
                row.getString(5),
                groups == null || groups.isEmpty() ? List.of() : Arrays.asList(groups.split(",")),
                row.getLong(7),
                Sql.nullableLong(row, "last_polled_at"),
                row.getString(9),
                row.getString(10),
                row.getString(11),
                row.getLong(12));
    }

    private static String userCode() {
        char[] code = new char[9];
        for (int i = 0; i < 9; i++)
            code[i] = i == 4 ? '-' : USER_CODE_ALPHABET.charAt(RANDOM.nextInt(USER_CODE_ALPHABET.length()));
        return new String(code);
    }
}
