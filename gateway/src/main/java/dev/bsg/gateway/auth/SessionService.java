package dev.bsg.gateway.auth;

import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.RefreshTokenStore;
import dev.bsg.gateway.store.RevokedTokens;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.identity.OidcClient;
import java.util.List;
import java.util.Optional;

/**
 * Starts, refreshes and ends gateway sessions: an access JWT plus a rotating refresh token. A session
 * started through the identity provider carries the IdP's refresh token (sealed); each refresh of
 * ours refreshes there too, so disabling a person at the IdP or changing their groups takes effect
 * at the next refresh at the latest.
 */
public final class SessionService {
    private final SessionTokens tokens;
    private final RefreshTokenStore refreshTokens;
    private final UserStore users;
    private final AuditLog audit;
    private final OidcClient oidc;
    private final SecretBox box;
    private final RevokedTokens revokedTokens;

    /** What a client gets on sign-in and on each refresh. */
    public record TokenPair(String accessToken, String refreshToken, long expiresInSeconds, String email) {}

    /** A refresh that worked (pair) or was refused (reason, for the client and the audit trail). */
    public record Refreshed(TokenPair pair, String refusal) {}

    public SessionService(
            SessionTokens tokens,
            RefreshTokenStore refreshTokens,
            UserStore users,
            AuditLog audit,
            OidcClient oidc,
            SecretBox box,
            RevokedTokens revokedTokens) {
        this.revokedTokens = revokedTokens;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
        this.users = users;
        this.audit = audit;
        this.oidc = oidc;
        this.box = box;
    }

    public TokenPair start(User user, String subject, List<String> groups) {
        return start(user, subject, groups, null);
    }

    /** {@code sealedIdpToken}: the IdP's refresh token as {@link #seal} made it, or null. */
    public TokenPair start(User user, String subject, List<String> groups, String sealedIdpToken) {
        RefreshTokenStore.Issued refresh = refreshTokens.issue(user.id(), subject, groups, sealedIdpToken);
        return pair(user, subject, groups, refresh);
    }

    /** Seals a secret the gateway must keep for a while (an IdP refresh token, a PKCE verifier). */
    public String seal(String secret) {
        return box.seal(secret);
    }

    /** The secret {@link #seal} sealed, or null when it can't be opened. */
    public String open(String sealed) {
        return box.open(sealed);
    }

    public Refreshed refresh(String refreshToken, String sourceIp) {
        RefreshTokenStore.Redeemed redeemed = refreshTokens.redeem(refreshToken);
        if (redeemed.spent() == null) return refused("unknown", sourceIp, redeemed.refusal(), null);
        RefreshTokenStore.Issued spent = redeemed.spent();
        Optional<User> user = users.byId(spent.userId());
        String email = user.map(User::email).orElse("unknown");
        if (user.isEmpty() || user.get().disabled()) return refused(email, sourceIp, "user is disabled", spent);
        List<String> groups = spent.groups();
        String sealed = spent.sealedIdpToken();
        if (sealed != null) {
            String idpToken = box.open(sealed);
            if (idpToken == null)
                return refused(
                        email, sourceIp, "the session's identity provider token can't be read; sign in again", spent);
            try {
                OidcClient.Identity fresh = oidc.refresh(idpToken);
                String refusal = oidc.refusal(fresh);
                if (refusal != null) return refused(email, sourceIp, refusal, spent);
                groups = fresh.groups();
                if (fresh.idpRefreshToken() != null) sealed = box.seal(fresh.idpRefreshToken());
            } catch (OidcClient.OidcException e) {
                return refused(email, sourceIp, e.getMessage(), spent);
            }
        }
        RefreshTokenStore.Issued next = refreshTokens.next(spent, groups, sealed);
        audit.record(email, "session.refresh", null, "ok", sourceIp, null);
        return new Refreshed(pair(user.get(), spent.subject(), groups, next), null);
    }

    private Refreshed refused(String email, String sourceIp, String why, RefreshTokenStore.Issued spent) {
        if (spent != null) refreshTokens.revokeFamilyOf(spent);
        audit.record(email, "session.refresh", null, "refused", sourceIp, why);
        return new Refreshed(null, why);
    }

    /** RFC 7009: a refresh token revokes its whole session, an access token itself until it would expire; anything else is ignored. */
    public void revoke(String token, String sourceIp) {
        if (token == null) return;
        if (token.startsWith(RefreshTokenStore.PREFIX) && refreshTokens.revoke(token)) {
            audit.record("unknown", "session.revoke", null, "ok", sourceIp, "refresh token");
        } else if (SessionTokens.looksLikeJwt(token)) {
            SessionTokens.Session session = tokens.verify(token);
            if (session != null && session.tokenId() != null) {
                revokedTokens.revoke(session.tokenId(), session.expiresAtEpochSecond());
                audit.record(session.email(), "session.revoke", null, "ok", sourceIp, "access token");
            }
        }
    }

    private TokenPair pair(User user, String subject, List<String> groups, RefreshTokenStore.Issued refresh) {
        String access = tokens.mint(user.id(), subject, user.email(), user.name(), groups, refresh.familyId());
        return new TokenPair(access, refresh.token(), tokens.ttl().toSeconds(), user.email());
    }
}
