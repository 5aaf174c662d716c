package dev.bsg.gateway.auth;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Forms;
import dev.bsg.protocol.translate.Json;
import java.util.Map;

/**
 * The OAuth side of sessions, as Claude Code and {@code bsg} speak it: the token endpoint
 * (refresh-token grant) and RFC 7009 revocation. Errors are OAuth's {@code {"error", "error_description"}}.
 */
public final class OAuthEndpoints {
    static final String REFRESH_GRANT = "refresh_token";
    private final SessionService sessions;

    public OAuthEndpoints(SessionService sessions) {
        this.sessions = sessions;
    }

    public void token(Exchange exchange) {
        Map<String, String> form = Forms.parse(exchange.body());
        noStore(exchange);
        String grant = form.get("grant_type");
        if (grant == null) {
            oauthError(exchange, 400, "invalid_request", "grant_type is required");
            return;
        }
        if (!grant.equals(REFRESH_GRANT)) {
            oauthError(exchange, 400, "unsupported_grant_type", "this gateway supports the refresh_token grant here");
            return;
        }
        String refreshToken = form.get("refresh_token");
        if (refreshToken == null || refreshToken.isBlank()) {
            oauthError(exchange, 400, "invalid_request", "refresh_token is required");
            return;
        }
        SessionService.Refreshed refreshed = sessions.refresh(refreshToken, exchange.clientIp());
        if (refreshed.pair() == null) {
            oauthError(exchange, 401, "invalid_grant", refreshed.refusal());
            return;
        }
        exchange.sendJson(200, tokenResponse(refreshed.pair()));
    }

    /** RFC 7009: always 200, whatever the token was. */
    public void revoke(Exchange exchange) {
        Map<String, String> form = Forms.parse(exchange.body());
        sessions.revoke(form.get("token"), exchange.clientIp());
        noStore(exchange);
        exchange.sendJson(200, "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static byte[] tokenResponse(SessionService.TokenPair pair) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("access_token", pair.accessToken());
            g.writeStringField("token_type", "Bearer");
            g.writeNumberField("expires_in", pair.expiresInSeconds());
            g.writeStringField("refresh_token", pair.refreshToken());
            if (pair.email() != null) g.writeStringField("email", pair.email());
            g.writeEndObject();
        });
    }

    private static void noStore(Exchange exchange) {
        exchange.setHeader("Cache-Control", "no-store");
        exchange.setHeader("Pragma", "no-cache");
    }

    private static void oauthError(Exchange exchange, int status, String error, String description) {
        exchange.sendJson(status, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("error", error);
            g.writeStringField("error_description", description);
            g.writeEndObject();
        }));
    }
}
