package dev.bsg.gateway.web;

import dev.bsg.gateway.auth.AuthException;
import dev.bsg.gateway.auth.Authenticator;
import dev.bsg.gateway.auth.SessionTokens;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Forms;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who is looking at a console page, by the session cookie and the same checks as the API (expiry, revocation, admin
 * rights); and the forms' CSRF defence: each form carries a token bound to the session (an HMAC of it), and a POST
 * must come from this site's own page as well.
 */
final class ConsoleSessions {
    private final Authenticator authenticator;
    private final WebSignIn signIn;
    private final SecretKeySpec csrfKey;
    private final Templates templates;

    ConsoleSessions(Authenticator authenticator, WebSignIn signIn, String csrfSecret, Templates templates) {
        this.authenticator = authenticator;
        this.signIn = signIn;
        this.csrfKey = new SecretKeySpec(csrfSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.templates = templates;
    }

    /** The page's view: the viewer (null when nobody, or nobody valid, is signed in), a fresh nonce and the token. */
    View view(Exchange exchange, String title, String section) {
        String cookie = WebSignIn.cookie(exchange, WebSignIn.COOKIE);
        Principal viewer = null;
        // Only a session token signs a browser in: an API key or admin key planted as a cookie does not.
        if (cookie != null && SessionTokens.looksLikeJwt(cookie)) {
            try {
                viewer = authenticator.authenticate(null, "Bearer " + cookie);
                exchange.principal(viewer);
            } catch (AuthException e) {
                viewer = null;
            }
        }
        return new View(title, section, viewer, Secrets.base62(22), cookie == null ? "" : csrf(cookie), null, null);
    }

    /** The view for a signed-in page; null (and a redirect to the front page) when nobody is signed in. */
    View signedIn(Exchange exchange, String title, String section) {
        View view = view(exchange, title, section);
        if (view.signedIn()) return view;
        exchange.setHeader("Location", "/");
        exchange.setHeader("Cache-Control", "no-store");
        exchange.sendEmpty(303);
        return null;
    }

    /** The view for an admin page; a 403 page (never a hidden link only) for anyone else. */
    View admin(Exchange exchange, String title, String section) {
        View view = signedIn(exchange, title, section);
        if (view == null || view.admin()) return view;
        templates.send(
                exchange,
                403,
                "message.jte",
                view.withTitle("Admins only", section),
                "text",
                "This page is for the gateway's administrators. Ask one if you need something here.");
        return null;
    }

    /**
     * The fields of a form posted from this site by the signed-in person, after the CSRF checks; null (and a 403
     * page) when either fails.
     */
    Map<String, String> form(Exchange exchange, View view) {
        Map<String, String> form = Forms.parse(exchange.body());
        String token = form.get("_csrf");
        if (!signIn.sameOrigin(exchange)
                || token == null
                || view.csrf().isEmpty()
                || !Secrets.equal(token, view.csrf())) {
            templates.send(
                    exchange,
                    403,
                    "message.jte",
                    view.withTitle("Blocked", view.section()),
                    "text",
                    "This form was not sent from this gateway's own page, or the page is too old. Reload it and try again.");
            return null;
        }
        return form;
    }

    private String csrf(String session) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(csrfKey);
            byte[] tag = mac.doFinal(("console-form:" + session).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
