package dev.bsg.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.RevokedTokens;
import dev.bsg.gateway.store.SharedState;
import dev.bsg.protocol.errors.ApiError;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns the credential on a request into a {@link Principal}. Key lookups are cached briefly so the
 * hot path doesn't touch the database; revocations on this instance evict at once.
 */
public final class Authenticator {
    private final ApiKeyStore keys;
    private final SessionTokens sessions;
    private final Settings.Admin admins;
    private final RevokedTokens revokedTokens;
    private final Cache<String, Optional<ApiKey>> cache = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(30))
            .build();

    private final SharedState shared;

    public Authenticator(
            ApiKeyStore keys,
            SessionTokens sessions,
            RevokedTokens revokedTokens,
            Settings.Admin admins,
            SharedState shared) {
        this.shared = shared;
        shared.onEvent(this::apply);
        this.revokedTokens = revokedTokens;
        this.keys = keys;
        this.sessions = sessions;
        this.admins = admins;
    }

    /** The bearer or x-api-key credential; null when the request has none. */
    public static String credential(String apiKeyHeader, String authorization) {
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) return apiKeyHeader.strip();
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7))
            return authorization.substring(7).strip();
        return null;
    }

    /** The caller of an inference request; throws an {@link AuthException} with the client-facing reason. */
    public Principal authenticate(String apiKeyHeader, String authorization) {
        String credential = credential(apiKeyHeader, authorization);
        if (credential == null) {
            if (authorization != null && authorization.startsWith("AWS4-HMAC-SHA256")) {
                throw new AuthException(
                        ApiError.authentication(
                                "this gateway does not take AWS signatures: send a gateway API key (SSOK_...) as the Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) or as Authorization: Bearer"));
            }
            throw new AuthException(ApiError.authentication(
                    "missing credential: send a gateway API key in x-api-key or Authorization: Bearer"));
        }
        if (SessionTokens.looksLikeJwt(credential)) {
            SessionTokens.Session session = sessions.verify(credential);
            if (session == null)
                throw new AuthException(ApiError.authentication("invalid or expired session token; sign in again"));
            if (revokedTokens.isRevoked(session.tokenId()) || revokedTokens.isSessionRevoked(session.sessionId()))
                throw new AuthException(ApiError.authentication("session token revoked; sign in again"));
            return new Principal(
                    session.userId(),
                    session.email(),
                    null,
                    session.groups(),
                    admins.grants(session.email(), session.groups()));
        }
        String hash = Secrets.sha256(credential);
        if (isAdminKeyHash(hash)) return Principal.staticAdmin();
        if (!ApiKeyFormat.looksLikeKey(credential))
            throw new AuthException(ApiError.authentication("invalid credential"));
        ApiKey key = cache.get(hash, keys::byHash)
                .orElseThrow(() -> new AuthException(ApiError.authentication("invalid API key")));
        if (key.revokedAt() != null) throw new AuthException(ApiError.authentication("API key has been revoked"));
        if (key.userDisabled())
            throw new AuthException(ApiError.permission("user " + key.userEmail() + " is disabled"));
        if (!key.usableAt(System.currentTimeMillis()))
            throw new AuthException(ApiError.authentication("API key has expired"));
        return new Principal(
                key.userId(),
                key.userEmail(),
                key.id(),
                key.userGroups(),
                admins.grants(key.userEmail(), key.userGroups()));
    }

    private boolean isAdminKeyHash(String hash) {
        boolean match = false;
        for (String admin : admins.apiKeyHashes()) match |= Secrets.equal(admin, hash);
        return match;
    }

    /** A key changed (revoked): every instance drops it from its cache. */
    public void forgetKey(String keyId) {
        shared.broadcast("key:" + keyId);
    }

    /** A user changed (disabled): every instance drops the user's keys from its cache. */
    public void forgetUser(String userId) {
        shared.broadcast("user:" + userId);
    }

    /** Teams or projects changed: every instance re-reads them for the usage records it writes. */
    public void forgetTags() {
        shared.broadcast("tags");
    }

    private void apply(String event) {
        if (event.startsWith("key:")) {
            String keyId = event.substring(4);
            cache.asMap()
                    .values()
                    .removeIf(entry -> entry.map(k -> k.id().equals(keyId)).orElse(false));
        } else if (event.startsWith("user:")) {
            String userId = event.substring(5);
            cache.asMap()
                    .values()
                    .removeIf(entry -> entry.map(k -> k.userId().equals(userId)).orElse(false));
        }
    }
}
