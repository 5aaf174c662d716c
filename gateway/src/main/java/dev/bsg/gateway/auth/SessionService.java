package dev.bsg.gateway.auth;

import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.RefreshTokenStore;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import java.util.List;
import java.util.Optional;

/** Starts, refreshes and ends gateway sessions: an access JWT plus a rotating refresh token. */
public final class SessionService {
    private final SessionTokens tokens;
    private final RefreshTokenStore refreshTokens;
    private final UserStore users;
    private final AuditLog audit;

    /** What a client gets on sign-in and on each refresh. */
    public record TokenPair(String accessToken, String refreshToken, long expiresInSeconds, String email) {}

    /** A refresh that worked (pair) or was refused (reason, for the client and the audit trail). */
    public record Refreshed(TokenPair pair, String refusal) {}

    public SessionService(SessionTokens tokens, RefreshTokenStore refreshTokens, UserStore users, AuditLog audit) {
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.users = users;
        this.audit = audit;
    }

    public TokenPair start(User user, String subject, List<String> groups) {
        RefreshTokenStore.Issued refresh = refreshTokens.issue(user.id());
        return pair(user, subject, groups, refresh.token());
    }

    public Refreshed refresh(String refreshToken, String sourceIp) {
        RefreshTokenStore.Redeemed redeemed = refreshTokens.redeem(refreshToken);
        if (redeemed.next() == null) {
            audit.record("unknown", "session.refresh", null, "refused", sourceIp, redeemed.refusal());
            return new Refreshed(null, redeemed.refusal());
        }
        Optional<User> user = users.byId(redeemed.next().userId());
        if (user.isEmpty() || user.get().disabled()) {
            refreshTokens.revoke(redeemed.next().token());
            String why = "user is disabled";
            audit.record(user.map(User::email).orElse("unknown"), "session.refresh", null, "refused", sourceIp, why);
            return new Refreshed(null, why);
        }
        audit.record(user.get().email(), "session.refresh", null, "ok", sourceIp, null);
        return new Refreshed(pair(user.get(), user.get().email(), List.of(), redeemed.next().token()), null);
    }

    /** RFC 7009: revokes a refresh token's whole session; anything else is ignored. */
    public void revoke(String token, String sourceIp) {
        if (token != null && token.startsWith(RefreshTokenStore.PREFIX) && refreshTokens.revoke(token)) {
            audit.record("unknown", "session.revoke", null, "ok", sourceIp, null);
        }
    }

    private TokenPair pair(User user, String subject, List<String> groups, String refreshToken) {
        String access = tokens.mint(user.id(), subject, user.email(), user.name(), groups);
        return new TokenPair(access, refreshToken, tokens.ttl().toSeconds(), user.email());
    }
}
