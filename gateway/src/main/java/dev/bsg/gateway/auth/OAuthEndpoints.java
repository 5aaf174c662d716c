package dev.bsg.gateway.auth;

import dev.bsg.gateway.core.Counters;
import dev.bsg.gateway.core.FixedWindowLimiter;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Forms;
import dev.bsg.gateway.store.DeviceGrantStore;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.protocol.translate.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The OAuth side of sessions, as Claude Code and {@code bsg} speak it: discovery (RFC 8414), device
 * authorization (RFC 8628), the token endpoint (device-code and refresh-token grants) and RFC 7009
 * revocation. Errors are OAuth's {@code {"error", "error_description"}}.
 */
public final class OAuthEndpoints {
    static final String REFRESH_GRANT = "refresh_token";
    static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private final SessionService sessions;
    private final DeviceGrantStore devices;
    private final UserStore users;
    private final boolean signInConfigured;
    private final Supplier<String> publicUrl;
    private final FixedWindowLimiter deviceLimiter;

    public OAuthEndpoints(
            SessionService sessions,
            DeviceGrantStore devices,
            UserStore users,
            boolean signInConfigured,
            Supplier<String> publicUrl,
            Counters counters) {
        this.deviceLimiter = new FixedWindowLimiter(counters, "device-authorization", 30, Duration.ofMinutes(10));
        this.sessions = sessions;
        this.devices = devices;
        this.users = users;
        this.signInConfigured = signInConfigured;
        this.publicUrl = publicUrl;
    }

    public void discovery(Exchange exchange) {
        if (!signInConfigured) {
            oauthError(exchange, 404, "not_configured", "sign-in is not configured on this gateway (oidc.issuer)");
            return;
        }
        String base = publicUrl.get();
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("issuer", base);
            g.writeStringField("device_authorization_endpoint", base + "/oauth/device_authorization");
            g.writeStringField("token_endpoint", base + "/oauth/token");
            g.writeStringField("revocation_endpoint", base + "/oauth/revoke");
            g.writeArrayFieldStart("grant_types_supported");
            g.writeString(DEVICE_GRANT);
            g.writeString(REFRESH_GRANT);
            g.writeEndArray();
            g.writeArrayFieldStart("response_types_supported");
            g.writeEndArray();
            g.writeArrayFieldStart("token_endpoint_auth_methods_supported");
            g.writeString("none");
            g.writeEndArray();
            g.writeArrayFieldStart("scopes_supported");
            g.writeString("openid");
            g.writeString("profile");
            g.writeString("email");
            g.writeEndArray();
            g.writeNumberField("gateway_protocol_version", 1);
            g.writeEndObject();
        }));
    }

    /** RFC 8628 §3.1; no client_id or scope needed (Claude Code sends neither). */
    public void deviceAuthorization(Exchange exchange) {
        noStore(exchange);
        if (!signInConfigured) {
            oauthError(exchange, 404, "not_configured", "sign-in is not configured on this gateway (oidc.issuer)");
            return;
        }
        if (!deviceLimiter.allow(exchange.clientIp())) {
            exchange.setHeader("Retry-After", "600");
            oauthError(exchange, 429, "slow_down", "too many device sign-ins from this address; wait a few minutes");
            return;
        }
        Map<String, String> form = Forms.parse(exchange.body());
        DeviceGrantStore.Issued issued =
                devices.create(requester(form, exchange.header("User-Agent")), exchange.clientIp());
        String verification = publicUrl.get() + "/device";
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("device_code", issued.deviceCode());
            g.writeStringField("user_code", issued.userCode());
            g.writeStringField("verification_uri", verification);
            g.writeStringField("verification_uri_complete", verification + "?user_code=" + issued.userCode());
            g.writeNumberField("expires_in", issued.expiresInSeconds());
            g.writeNumberField("interval", DeviceGrantStore.INTERVAL_SECONDS);
            g.writeEndObject();
        }));
    }

    /** What the asking program calls itself, for the approval page: its client id or surface, and its User-Agent. */
    static String requester(Map<String, String> form, String userAgent) {
        String named = form.getOrDefault("client_id", form.get("surface"));
        String agent = userAgent == null ? null : userAgent.strip();
        if (named != null && agent != null) return named + " (" + agent + ")";
        return named != null ? named : agent;
    }

    public void token(Exchange exchange) {
        Map<String, String> form = Forms.parse(exchange.body());
        noStore(exchange);
        String grant = form.get("grant_type");
        if (grant == null) {
            oauthError(exchange, 400, "invalid_request", "grant_type is required");
            return;
        }
        if (grant.equals(DEVICE_GRANT)) {
            deviceToken(exchange, form.get("device_code"));
            return;
        }
        if (!grant.equals(REFRESH_GRANT)) {
            oauthError(
                    exchange,
                    400,
                    "unsupported_grant_type",
                    "supported grants: " + DEVICE_GRANT + ", " + REFRESH_GRANT);
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

    /** RFC 8628 §3.4-3.5: pending, slow_down, access_denied, expired_token, or the tokens once. */
    private void deviceToken(Exchange exchange, String deviceCode) {
        if (deviceCode == null || deviceCode.isBlank()) {
            oauthError(exchange, 400, "invalid_request", "device_code is required");
            return;
        }
        DeviceGrantStore.Grant grant = devices.byDeviceCode(deviceCode).orElse(null);
        if (grant == null || devices.expired(grant) || grant.status() == DeviceGrantStore.Status.REDEEMED) {
            oauthError(
                    exchange,
                    400,
                    "expired_token",
                    "the device code is unknown, used or expired; start the sign-in again");
            return;
        }
        switch (grant.status()) {
            case DENIED -> oauthError(exchange, 400, "access_denied", "the sign-in was denied in the browser");
            case PENDING, SIGNED_IN -> {
                if (devices.pollTooSoon(grant))
                    oauthError(
                            exchange,
                            400,
                            "slow_down",
                            "poll at most every " + DeviceGrantStore.INTERVAL_SECONDS + " s");
                else oauthError(exchange, 400, "authorization_pending", "waiting for the sign-in in the browser");
            }
            default -> {
                User user = users.byId(grant.userId()).orElse(null);
                if (user == null || user.disabled() || !devices.redeem(grant.id())) {
                    oauthError(
                            exchange,
                            400,
                            "expired_token",
                            "the device code is no longer valid; start the sign-in again");
                    return;
                }
                exchange.sendJson(
                        200,
                        tokenResponse(sessions.start(user, grant.subject(), grant.groups(), grant.sealedIdpToken())));
            }
        }
    }

    /** RFC 7009: always 200, whatever the token was. */
    public void revoke(Exchange exchange) {
        Map<String, String> form = Forms.parse(exchange.body());
        sessions.revoke(form.get("token"), exchange.clientIp());
        noStore(exchange);
        exchange.sendJson(200, "{}".getBytes(StandardCharsets.US_ASCII));
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
