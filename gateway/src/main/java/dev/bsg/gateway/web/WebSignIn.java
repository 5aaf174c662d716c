package dev.bsg.gateway.web;

import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.bsg.gateway.auth.SessionService;
import dev.bsg.gateway.auth.SessionTokens;
import dev.bsg.gateway.core.Counters;
import dev.bsg.gateway.core.FixedWindowLimiter;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Forms;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.DeviceGrantStore;
import dev.bsg.gateway.store.PendingSignIns;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.identity.OidcClient;
import dev.bsg.identity.OidcSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Browser sign-in: {@code GET /login} to the identity provider and back to {@code /oauth/callback},
 * a session cookie (HttpOnly, SameSite=Lax, Secure behind TLS), {@code POST /logout}, and a minimal
 * page at {@code /} that shows who you are and your keys.
 */
public final class WebSignIn {
    static final String COOKIE = "bsg_session";
    private static final String STATE_COOKIE = "bsg_signin_";
    private final OidcSettings oidcSettings;
    private final OidcClient oidc;
    private final SessionService sessions;
    private final SessionTokens tokens;
    private final UserStore users;
    private final AuditLog audit;
    private final Supplier<URI> publicUrl;
    private final DeviceGrantStore devices;
    private final FixedWindowLimiter verifyLimiter;
    private final PendingSignIns pending;
    private final Templates templates = new Templates();
    private final FixedWindowLimiter signInLimiter;

    public WebSignIn(
            OidcSettings oidcSettings,
            OidcClient oidc,
            SessionService sessions,
            SessionTokens tokens,
            UserStore users,
            AuditLog audit,
            DeviceGrantStore devices,
            PendingSignIns pending,
            Supplier<URI> publicUrl,
            Counters counters) {
        this.verifyLimiter = new FixedWindowLimiter(counters, "device-verify", 10, Duration.ofMinutes(10));
        // Each sign-in started writes a pending row: bounded per address so anonymous traffic can't fill the table.
        this.signInLimiter = new FixedWindowLimiter(counters, "sign-in-start", 60, Duration.ofMinutes(10));
        this.pending = pending;
        this.devices = devices;
        this.oidcSettings = oidcSettings;
        this.oidc = oidc;
        this.sessions = sessions;
        this.tokens = tokens;
        this.users = users;
        this.audit = audit;
        this.publicUrl = publicUrl;
    }

    /** {@code GET /login}, or {@code /login?user_code=...} from the device page: off to the identity provider. */
    public void login(Exchange exchange) {
        String typed = exchange.query("user_code");
        if (typed == null) {
            startSignIn(exchange, null);
            return;
        }
        DeviceGrantStore.Grant grant = liveGrant(typed);
        if (grant == null) {
            unknownCode(exchange);
            return;
        }
        startSignIn(exchange, grant.id());
    }

    private void startSignIn(Exchange exchange, String deviceGrantId) {
        if (!oidcSettings.enabled()) {
            message(
                    exchange,
                    404,
                    "Sign-in is not set up",
                    "This gateway has no identity provider configured (oidc.issuer). Ask your administrator for an"
                            + " API key instead.");
            return;
        }
        if (!signInLimiter.allow(exchange.clientIp())) {
            exchange.setHeader("Retry-After", "60");
            message(
                    exchange,
                    429,
                    "Too many sign-ins",
                    "Too many sign-ins were started from this address. Wait a minute and try again.");
            return;
        }
        try {
            OidcClient.Authorization authorization = oidc.authorize();
            String state = authorization.state().getValue();
            pending.put(
                    state,
                    new PendingSignIns.Pending(
                            authorization.nonce().getValue(),
                            sessions.seal(authorization.verifier().getValue()),
                            deviceGrantId));
            // Binds the sign-in to this browser: a callback URL finished in another browser is refused (login CSRF).
            exchange.addHeader(
                    "Set-Cookie",
                    stateCookie(state) + "=" + state + "; Path=/oauth/callback; HttpOnly; SameSite=Lax; Max-Age="
                            + PendingSignIns.LIFETIME.toSeconds() + (secure(exchange) ? "; Secure" : ""));
            redirect(exchange, authorization.uri().toString());
        } catch (OidcClient.OidcException e) {
            message(exchange, 502, "Sign-in is unavailable", e.getMessage());
        }
    }

    private static String stateCookie(String state) {
        return STATE_COOKIE + Secrets.sha256(state).substring(0, 16);
    }

    /**
     * The device verification page (RFC 8628 §3.3): asks for the code (or shows the one in the link) and
     * who asked for it; the person then signs in and confirms it on the page the sign-in returns to. Moving
     * on is a link, not a form: a form whose answer redirects to the identity provider breaks
     * {@code form-action 'self'} in Chromium.
     */
    public void devicePage(Exchange exchange) {
        String typed = exchange.query("user_code");
        if (typed == null || typed.isBlank()) {
            templates.send(
                    exchange,
                    200,
                    "signin/code.jte",
                    view("Connect a device"),
                    "text",
                    "Enter the code your device shows.");
            return;
        }
        if (!verifyLimiter.allow(exchange.clientIp())) {
            message(exchange, 429, "Too many attempts", "Too many codes tried from this address. Wait a few minutes.");
            return;
        }
        DeviceGrantStore.Grant grant = liveGrant(typed);
        if (grant == null) {
            unknownCode(exchange);
            return;
        }
        templates.send(
                exchange,
                200,
                "signin/grant.jte",
                view("Connect a device"),
                "text",
                "A program asks to use this gateway as you. Continue only if you started this and your device shows"
                        + " this code:",
                "grant",
                grant);
    }

    /** A code typed into the old form (or posted by a script): shown on the page, never approved from here. */
    public void deviceApprove(Exchange exchange) {
        String code =
                DeviceGrantStore.normaliseUserCode(Forms.parse(exchange.body()).get("user_code"));
        exchange.setHeader("Location", "/device" + (code == null ? "" : "?user_code=" + code));
        exchange.setHeader("Cache-Control", "no-store");
        exchange.sendEmpty(303);
    }

    /** {@code POST /device/confirm}: the signed-in person approves the code they were shown. */
    public void deviceConfirm(Exchange exchange) {
        DeviceGrantStore.Grant grant = confirmedGrant(exchange);
        if (grant == null) return;
        boolean approved = devices.approve(grant.id());
        User user = users.byId(grant.userId()).orElse(null);
        String who = user == null ? "unknown" : user.email();
        audit.record(
                who,
                "device.approve",
                grant.userCode(),
                approved ? "ok" : "expired",
                exchange.clientIp(),
                grant.requester());
        message(
                exchange,
                approved ? 200 : 400,
                approved ? "Device connected" : "Code expired",
                approved
                        ? "Signed in as " + who + ". Return to your device: it connects within a few seconds."
                        : "The code expired before it was approved. Start again on your device.");
    }

    public void deviceDeny(Exchange exchange) {
        DeviceGrantStore.Grant grant = confirmedGrant(exchange);
        if (grant == null) return;
        devices.deny(grant.id());
        audit.record(
                users.byId(grant.userId()).map(User::email).orElse("unknown"),
                "device.deny",
                grant.userCode(),
                "ok",
                exchange.clientIp(),
                grant.requester());
        message(exchange, 200, "Sign-in denied", "The device was not signed in. You can close this page.");
    }

    /** The grant a confirmation form names, after the CSRF check; null when a page was already sent. */
    private DeviceGrantStore.Grant confirmedGrant(Exchange exchange) {
        if (!sameOrigin(exchange)) {
            audit.record("unknown", "device.verify", null, "csrf_rejected", exchange.clientIp(), null);
            message(exchange, 403, "Blocked", "This request came from another site and was blocked.");
            return null;
        }
        DeviceGrantStore.Grant grant = devices.byConfirmation(
                        Forms.parse(exchange.body()).get("confirmation"))
                .orElse(null);
        if (grant == null) {
            message(
                    exchange,
                    400,
                    "Confirmation expired",
                    "This approval was already answered or took too long. Start again on your device.");
        }
        return grant;
    }

    private DeviceGrantStore.Grant liveGrant(String typed) {
        String code = DeviceGrantStore.normaliseUserCode(typed);
        return code == null ? null : devices.byUserCode(code).orElse(null);
    }

    private void unknownCode(Exchange exchange) {
        templates.send(
                exchange,
                400,
                "signin/code.jte",
                view("Unknown code"),
                "text",
                "That code is not valid or has expired. Check it, or start the sign-in again on your device.");
    }

    public void callback(Exchange exchange) {
        String state = exchange.query("state");
        if (state != null
                && !MessageDigest.isEqual(
                        state.getBytes(StandardCharsets.UTF_8),
                        String.valueOf(cookie(exchange, stateCookie(state))).getBytes(StandardCharsets.UTF_8))) {
            audit.record("unknown", "sign-in", null, "not started in this browser", exchange.clientIp(), null);
            message(
                    exchange,
                    400,
                    "Sign-in not started here",
                    "This sign-in was started in another browser (or its cookie expired), so it can't finish here.",
                    "/login",
                    "Sign in again");
            return;
        }
        if (state != null)
            exchange.addHeader(
                    "Set-Cookie", stateCookie(state) + "=; Path=/oauth/callback; HttpOnly; SameSite=Lax; Max-Age=0");
        PendingSignIns.Pending started =
                state == null ? null : pending.take(state).orElse(null);
        String verifier = started == null ? null : sessions.open(started.sealedVerifier());
        if (started == null || verifier == null) {
            message(
                    exchange,
                    400,
                    "Sign-in link expired",
                    "This sign-in was already used or took too long.",
                    "/login",
                    "Start again");
            return;
        }
        String error = exchange.query("error");
        if (error != null) {
            audit.record("unknown", "sign-in", null, "refused by identity provider", exchange.clientIp(), error);
            String description = exchange.query("error_description");
            message(
                    exchange,
                    403,
                    "Sign-in was not completed",
                    "The identity provider said: " + error + (description == null ? "" : " (" + description + ")"),
                    "/login",
                    "Try again");
            return;
        }
        OidcClient.Identity identity;
        try {
            identity = oidc.redeem(
                    exchange.query("code") == null ? "" : exchange.query("code"),
                    new Nonce(started.nonce()),
                    new CodeVerifier(verifier));
        } catch (OidcClient.OidcException e) {
            audit.record("unknown", "sign-in", null, "failed", exchange.clientIp(), e.getMessage());
            message(exchange, 403, "Sign-in failed", e.getMessage(), "/login", "Try again");
            return;
        }
        String refusal = oidc.refusal(identity);
        User user = refusal == null ? users.findOrCreate(identity.email(), identity.name()) : null;
        if (user != null && user.disabled()) refusal = "your account is disabled on this gateway";
        if (user != null && refusal == null) users.setGroups(user.id(), identity.groups());
        if (refusal != null) {
            audit.record(identity.email(), "sign-in", null, "refused", exchange.clientIp(), refusal);
            message(
                    exchange,
                    403,
                    "Sign-in refused",
                    "Signed in as " + identity.email() + ", but " + refusal
                            + ". Ask your administrator if you need access.");
            return;
        }
        if (started.deviceGrantId() != null) {
            String confirmation = Secrets.base62(32);
            boolean signedIn = devices.signedIn(
                    started.deviceGrantId(),
                    user.id(),
                    identity.subject(),
                    identity.groups(),
                    identity.idpRefreshToken() == null ? null : sessions.seal(identity.idpRefreshToken()),
                    Secrets.sha256(confirmation));
            DeviceGrantStore.Grant grant =
                    signedIn ? devices.byConfirmation(confirmation).orElse(null) : null;
            audit.record(
                    user.email(),
                    "sign-in",
                    null,
                    grant != null ? "ok" : "device code expired",
                    exchange.clientIp(),
                    "device");
            if (grant == null) {
                message(
                        exchange,
                        400,
                        "Code expired",
                        "The device code expired before sign-in finished. Start again on your device.");
                return;
            }
            templates.send(
                    exchange,
                    200,
                    "signin/grant.jte",
                    view("Approve this device?"),
                    "text",
                    "Signed in as " + user.email() + ". A program asks to use this gateway as you. Approve only if you"
                            + " started this yourself and your device shows this code:",
                    "grant",
                    grant,
                    "confirmation",
                    confirmation);
            return;
        }
        SessionService.TokenPair session = sessions.start(user, identity.subject(), identity.groups());
        audit.record(user.email(), "sign-in", null, "ok", exchange.clientIp(), "web");
        exchange.setHeader(
                "Set-Cookie",
                COOKIE + "=" + session.accessToken() + "; Path=/; HttpOnly; SameSite=Lax; Max-Age="
                        + session.expiresInSeconds() + (secure(exchange) ? "; Secure" : ""));
        redirect(exchange, "/");
    }

    /** CSRF: a sign-out must come from this site's own page, as the browser's Origin or Referer says. */
    public void logout(Exchange exchange) {
        if (!sameOrigin(exchange)) {
            message(exchange, 403, "Blocked", "This request came from another site and was blocked.");
            return;
        }
        SessionTokens.Session session = session(exchange);
        if (session != null) audit.record(session.email(), "sign-out", null, "ok", exchange.clientIp(), "web");
        exchange.setHeader(
                "Set-Cookie",
                COOKIE + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" + (secure(exchange) ? "; Secure" : ""));
        redirect(exchange, "/");
    }

    boolean sameOrigin(Exchange exchange) {
        String site = exchange.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) return false;
        String origin = exchange.header("Origin");
        if (origin == null) {
            String referer = exchange.header("Referer");
            if (referer == null) return false;
            try {
                URI uri = new URI(referer);
                origin = uri.getScheme() + "://" + uri.getRawAuthority();
            } catch (URISyntaxException e) {
                return false; // a Referer that isn't a URI is not this site's
            }
        }
        URI own = publicUrl.get();
        String host = exchange.header("Host");
        return origin.equals(own.getScheme() + "://" + own.getRawAuthority())
                || (host != null && origin.endsWith("://" + host));
    }

    SessionTokens.Session session(Exchange exchange) {
        String token = cookie(exchange, COOKIE);
        return token == null ? null : tokens.verify(token);
    }

    static String cookie(Exchange exchange, String name) {
        String cookies = exchange.header("Cookie");
        if (cookies == null) return null;
        for (String cookie : cookies.split(";")) {
            String trimmed = cookie.strip();
            if (trimmed.startsWith(name + "=")) return trimmed.substring(name.length() + 1);
        }
        return null;
    }

    /** Cookies are Secure when the public URL is HTTPS or the browser came over TLS (itself or through a proxy). */
    private boolean secure(Exchange exchange) {
        if (exchange.https()) return true;
        return "https".equals(publicUrl.get().getScheme());
    }

    private static void redirect(Exchange exchange, String location) {
        exchange.setHeader("Location", location);
        exchange.setHeader("Cache-Control", "no-store");
        exchange.sendEmpty(302);
    }

    private void message(Exchange exchange, int status, String title, String text) {
        templates.send(exchange, status, "message.jte", view(title), "text", text);
    }

    private void message(Exchange exchange, int status, String title, String text, String link, String linkText) {
        templates.send(exchange, status, "message.jte", view(title), "text", text, "link", link, "linkText", linkText);
    }

    /** The sign-in pages are for someone not (yet) signed in: no menu, no forms of the console. */
    private static View view(String title) {
        return new View(title, "", null, Secrets.base62(22), "", null, null);
    }
}
