package dev.bsg.gateway.web;

import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.bsg.gateway.auth.OidcClient;
import dev.bsg.gateway.auth.SessionService;
import dev.bsg.gateway.auth.SessionTokens;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Forms;
import dev.bsg.gateway.limits.FixedWindowLimiter;
import dev.bsg.gateway.store.DeviceGrantStore;
import dev.bsg.gateway.store.PendingSignIns;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Browser sign-in: {@code GET /login} to the identity provider and back to {@code /oauth/callback},
 * a session cookie (HttpOnly, SameSite=Lax, Secure behind TLS), {@code POST /logout}, and a minimal
 * page at {@code /} that shows who you are and your keys.
 */
public final class WebSignIn {
    static final String COOKIE = "bsg_session";
    private final Settings.Oidc oidcSettings;
    private final OidcClient oidc;
    private final SessionService sessions;
    private final SessionTokens tokens;
    private final UserStore users;
    private final ApiKeyStore keys;
    private final AuditLog audit;
    private final Supplier<URI> publicUrl;
    private final DeviceGrantStore devices;
    private final FixedWindowLimiter verifyLimiter;
    private final PendingSignIns pending;

    public WebSignIn(Settings.Oidc oidcSettings, OidcClient oidc, SessionService sessions, SessionTokens tokens, UserStore users,
                     ApiKeyStore keys, AuditLog audit, DeviceGrantStore devices, PendingSignIns pending, Supplier<URI> publicUrl, dev.bsg.gateway.limits.Counters counters) {
        this.verifyLimiter = new FixedWindowLimiter(counters, "device-verify", 10, Duration.ofMinutes(10));
        this.pending = pending;
        this.devices = devices;
        this.oidcSettings = oidcSettings;
        this.oidc = oidc;
        this.sessions = sessions;
        this.tokens = tokens;
        this.users = users;
        this.keys = keys;
        this.audit = audit;
        this.publicUrl = publicUrl;
    }

    public void login(Exchange exchange) {
        startSignIn(exchange, null);
    }

    private void startSignIn(Exchange exchange, String deviceGrantId) {
        if (!oidcSettings.enabled()) {
            page(exchange, 404, "Sign-in is not set up", "<p>This gateway has no identity provider configured (<code>oidc.issuer</code>). "
                    + "Ask your administrator for an API key instead.</p>");
            return;
        }
        try {
            OidcClient.Authorization authorization = oidc.authorize();
            pending.put(authorization.state().getValue(), new PendingSignIns.Pending(authorization.nonce().getValue(),
                    sessions.seal(authorization.verifier().getValue()), deviceGrantId));
            redirect(exchange, authorization.uri().toString());
        } catch (OidcClient.OidcException e) {
            page(exchange, 502, "Sign-in is unavailable", "<p>" + Html.escape(e.getMessage()) + "</p>");
        }
    }

    /** The device verification page (RFC 8628 §3.3): a pre-filled code is shown for confirmation, never submitted by itself. */
    public void devicePage(Exchange exchange) {
        String code = DeviceGrantStore.normaliseUserCode(exchange.query("user_code"));
        page(exchange, 200, "Approve sign-in?", "<p>A device asks to sign in to this gateway as you. Continue only if the code "
                + "below is the one your device shows.</p><form method=\"post\" action=\"/device\"><p><label>Code <input name=\"user_code\" "
                + "value=\"" + Html.escape(code == null ? "" : code) + "\" autocomplete=\"off\" required></label></p>"
                + "<button type=\"submit\">This matches my device — continue</button> "
                + "<button type=\"submit\" formaction=\"/device/deny\">Deny</button></form>");
    }

    public void deviceApprove(Exchange exchange) {
        DeviceGrantStore.Grant grant = deviceGrant(exchange);
        if (grant != null) startSignIn(exchange, grant.id());
    }

    public void deviceDeny(Exchange exchange) {
        DeviceGrantStore.Grant grant = deviceGrant(exchange);
        if (grant == null) return;
        devices.deny(grant.id());
        audit.record("unknown", "device.deny", grant.userCode(), "ok", exchange.clientIp(), null);
        page(exchange, 200, "Sign-in denied", "<p>The device was not signed in. You can close this page.</p>");
    }

    /** The grant a device form names, after the CSRF and rate checks; null when a page was already sent. */
    private DeviceGrantStore.Grant deviceGrant(Exchange exchange) {
        if (!sameOrigin(exchange)) {
            audit.record("unknown", "device.verify", null, "csrf_rejected", exchange.clientIp(), null);
            page(exchange, 403, "Blocked", "<p>This request came from another site and was blocked.</p>");
            return null;
        }
        if (!verifyLimiter.allow(exchange.clientIp())) {
            page(exchange, 429, "Too many attempts", "<p>Too many codes tried from this address. Wait a few minutes.</p>");
            return null;
        }
        String code = DeviceGrantStore.normaliseUserCode(Forms.parse(exchange.body()).get("user_code"));
        DeviceGrantStore.Grant grant = code == null ? null : devices.byUserCode(code).orElse(null);
        if (grant == null) {
            page(exchange, 400, "Unknown code", "<p>That code is not valid or has expired. Start the sign-in again on your device.</p>");
            return null;
        }
        return grant;
    }

    public void callback(Exchange exchange) {
        String state = exchange.query("state");
        PendingSignIns.Pending started = state == null ? null : pending.take(state).orElse(null);
        String verifier = started == null ? null : sessions.open(started.sealedVerifier());
        if (started == null || verifier == null) {
            page(exchange, 400, "Sign-in link expired", "<p>This sign-in was already used or took too long. <a href=\"/login\">Start again</a>.</p>");
            return;
        }
        String error = exchange.query("error");
        if (error != null) {
            audit.record("unknown", "sign-in", null, "refused by identity provider", exchange.clientIp(), error);
            page(exchange, 403, "Sign-in was not completed", "<p>The identity provider said: <code>" + Html.escape(error) + "</code> "
                    + Html.escape(exchange.query("error_description")) + "</p><p><a href=\"/login\">Try again</a></p>");
            return;
        }
        OidcClient.Identity identity;
        try {
            identity = oidc.redeem(exchange.query("code") == null ? "" : exchange.query("code"), new Nonce(started.nonce()), new CodeVerifier(verifier));
        } catch (OidcClient.OidcException e) {
            audit.record("unknown", "sign-in", null, "failed", exchange.clientIp(), e.getMessage());
            page(exchange, 403, "Sign-in failed", "<p>" + Html.escape(e.getMessage()) + "</p><p><a href=\"/login\">Try again</a></p>");
            return;
        }
        String refusal = oidc.refusal(identity);
        User user = refusal == null ? users.findOrCreate(identity.email(), identity.name()) : null;
        if (user != null && user.disabled()) refusal = "your account is disabled on this gateway";
        if (user != null && refusal == null) users.setGroups(user.id(), identity.groups());
        if (refusal != null) {
            audit.record(identity.email(), "sign-in", null, "refused", exchange.clientIp(), refusal);
            page(exchange, 403, "Sign-in refused", "<p>Signed in as <b>" + Html.escape(identity.email()) + "</b>, but " + Html.escape(refusal)
                    + ". Ask your administrator if you need access.</p>");
            return;
        }
        if (started.deviceGrantId() != null) {
            boolean approved = devices.approve(started.deviceGrantId(), user.id(), identity.subject(), identity.groups(),
                    identity.idpRefreshToken() == null ? null : sessions.seal(identity.idpRefreshToken()));
            audit.record(user.email(), "sign-in", null, approved ? "ok" : "device code expired", exchange.clientIp(), "device");
            page(exchange, approved ? 200 : 400, approved ? "You're signed in" : "Code expired", approved
                    ? "<p>Signed in as <b>" + Html.escape(user.email()) + "</b>. Return to your device — it should connect within a few seconds.</p>"
                    : "<p>The device code expired before sign-in finished. Start again on your device.</p>");
            return;
        }
        SessionService.TokenPair session = sessions.start(user, identity.subject(), identity.groups());
        audit.record(user.email(), "sign-in", null, "ok", exchange.clientIp(), "web");
        exchange.setHeader("Set-Cookie", COOKIE + "=" + session.accessToken() + "; Path=/; HttpOnly; SameSite=Lax; Max-Age="
                + session.expiresInSeconds() + (secure() ? "; Secure" : ""));
        redirect(exchange, "/");
    }

    public void home(Exchange exchange) {
        SessionTokens.Session session = session(exchange);
        if (session == null) {
            page(exchange, 200, "Bedrock SSO Gateway", "<p>Use Claude through your company account.</p><p><a class=\"button\" href=\"/login\">Sign in</a></p>");
            return;
        }
        StringBuilder rows = new StringBuilder();
        List<ApiKey> own = keys.ofUser(session.userId());
        for (ApiKey key : own) {
            rows.append("<tr><td>").append(Html.escape(key.name())).append("</td><td><code>").append(Html.escape(key.hint())).append("</code></td><td>")
                    .append(key.revokedAt() != null ? "revoked" : key.usableAt(System.currentTimeMillis()) ? "active" : "expired").append("</td><td>")
                    .append(Instant.ofEpochMilli(key.createdAt())).append("</td></tr>");
        }
        page(exchange, 200, "Signed in", "<p>You are <b>" + Html.escape(session.email()) + "</b>"
                + (session.groups().isEmpty() ? "" : " (groups: " + Html.escape(String.join(", ", session.groups())) + ")") + ".</p>"
                + "<h2>Your API keys</h2>" + (own.isEmpty() ? "<p>None yet.</p>"
                        : "<table><tr><th>name</th><th>key</th><th>status</th><th>created</th></tr>" + rows + "</table>")
                + "<form method=\"post\" action=\"/logout\"><button type=\"submit\">Sign out</button></form>");
    }

    /** CSRF: a sign-out must come from this site's own page, as the browser's Origin or Referer says. */
    public void logout(Exchange exchange) {
        if (!sameOrigin(exchange)) {
            page(exchange, 403, "Blocked", "<p>This request came from another site and was blocked.</p>");
            return;
        }
        SessionTokens.Session session = session(exchange);
        if (session != null) audit.record(session.email(), "sign-out", null, "ok", exchange.clientIp(), "web");
        exchange.setHeader("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" + (secure() ? "; Secure" : ""));
        redirect(exchange, "/");
    }

    boolean sameOrigin(Exchange exchange) {
        String site = exchange.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) return false;
        String origin = exchange.header("Origin");
        if (origin == null) {
            String referer = exchange.header("Referer");
            if (referer == null) return false;
            URI uri = URI.create(referer);
            origin = uri.getScheme() + "://" + uri.getRawAuthority();
        }
        URI own = publicUrl.get();
        String host = exchange.header("Host");
        return origin.equals(own.getScheme() + "://" + own.getRawAuthority()) || (host != null && origin.endsWith("://" + host));
    }

    SessionTokens.Session session(Exchange exchange) {
        String cookies = exchange.header("Cookie");
        if (cookies == null) return null;
        for (String cookie : cookies.split(";")) {
            String trimmed = cookie.strip();
            if (trimmed.startsWith(COOKIE + "=")) return tokens.verify(trimmed.substring(COOKIE.length() + 1));
        }
        return null;
    }

    private boolean secure() {
        return "https".equals(publicUrl.get().getScheme());
    }

    private static void redirect(Exchange exchange, String location) {
        exchange.setHeader("Location", location);
        exchange.setHeader("Cache-Control", "no-store");
        exchange.sendEmpty(302);
    }

    private static void page(Exchange exchange, int status, String title, String body) {
        exchange.setHeader("Cache-Control", "no-store");
        exchange.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
        exchange.setHeader("X-Content-Type-Options", "nosniff");
        exchange.send(status, "text/html; charset=utf-8", Html.page(title, body));
    }
}
