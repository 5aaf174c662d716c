package dev.bsg.cli;

import com.sun.net.httpserver.HttpServer;
import dev.bsg.identity.OidcClient;
import dev.bsg.identity.OidcSettings;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Signs a person in to the identity provider from the terminal: authorization code with PKCE S256,
 * state and nonce, the browser coming back to a loopback listener on the profile's port; or, on a
 * machine without a browser, the device authorization grant. Either way the ID token is verified
 * against the issuer's keys. Refreshing with the IdP's refresh token needs no browser.
 */
final class IdentityProviderSignIn {
    private static final Duration WAIT = Duration.ofMinutes(5);
    private final AwsProfile profile;
    private final OidcClient oidc;

    IdentityProviderSignIn(AwsProfile profile) {
        this.profile = profile;
        OidcSettings settings = new OidcSettings(
                profile.issuer(),
                profile.clientId(),
                profile.clientSecret(),
                List.of("openid", "profile", "email", "offline_access"),
                "email",
                "groups",
                Set.of(),
                Set.of());
        this.oidc =
                new OidcClient(settings, () -> URI.create("http://localhost:" + profile.redirectPort() + "/callback"));
    }

    /** A fresh identity from the refresh token, or null when the IdP no longer honours it. */
    OidcClient.Identity refresh(String refreshToken) {
        try {
            return oidc.refresh(refreshToken);
        } catch (OidcClient.OidcException e) {
            System.err.println("bsg: the identity provider no longer accepts the saved sign-in (" + e.getMessage()
                    + "); signing in again");
            return null;
        }
    }

    /**
     * In the browser, or by device code when asked to; also by device code when this machine has no
     * browser to open (an SSH session) and the IdP offers it, since a loopback callback can't come back here then.
     */
    OidcClient.Identity signIn(boolean device) {
        if (device) return deviceSignIn();
        if (!Browser.available() && oidc.offersDeviceSignIn()) {
            System.err.println("bsg: no browser can be opened here; signing in by device code instead");
            return deviceSignIn();
        }
        return browserSignIn();
    }

    /** RFC 8628: the person approves on any device with a browser while this side polls. */
    private OidcClient.Identity deviceSignIn() {
        try {
            OidcClient.DeviceSignIn pending = oidc.startDeviceSignIn();
            URI complete = pending.verificationUriComplete();
            Terminal.tell("bsg: to sign in to " + profile.issuer() + ", open " + pending.verificationUri()
                    + " on any device and enter the code "
                    + pending.userCode() + (complete == null ? "" : "\nbsg: or open " + complete)
                    + "\nbsg: waiting for the sign-in (the code expires at "
                    + pending.expires().truncatedTo(ChronoUnit.SECONDS) + ")...");
            return oidc.awaitDeviceSignIn(pending);
        } catch (OidcClient.OidcException e) {
            throw new CliException(e.getMessage() + " (profile '" + profile.name() + "' in " + profile.source() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("the sign-in was interrupted");
        }
    }

    private OidcClient.Identity browserSignIn() {
        HttpServer server;
        try {
            server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), profile.redirectPort()), 0);
        } catch (BindException e) {
            throw new CliException("port " + profile.redirectPort()
                    + " is in use by another program, so the sign-in can't come back to bsg: "
                    + "stop that program, or set redirect_port in profile '" + profile.name() + "' of "
                    + profile.source()
                    + " (and register http://localhost:PORT/callback with the identity provider)");
        } catch (IOException e) {
            throw new CliException("can't listen on 127.0.0.1:" + profile.redirectPort() + ": " + e.getMessage());
        }
        try {
            OidcClient.Authorization authorization = oidc.authorize();
            CompletableFuture<Map<String, String>> callback = new CompletableFuture<>();
            server.createContext("/callback", exchange -> {
                Map<String, String> params = query(exchange.getRequestURI().getRawQuery());
                boolean ours = authorization.state().getValue().equals(params.get("state"));
                String page = !ours
                        ? "This sign-in link is not the one bsg is waiting for. Run the command again."
                        : params.containsKey("error")
                                ? "Sign-in did not complete: "
                                        + params.getOrDefault("error_description", params.get("error"))
                                        + ". You can close this tab."
                                : "Signed in. You can close this tab and go back to the terminal.";
                byte[] body = ("<!doctype html><meta charset=utf-8><title>bsg</title><p>" + page.replace("<", "&lt;")
                                + "</p>")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(ours ? 200 : 400, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
                if (ours) callback.complete(params);
            });
            server.start();
            String url = authorization.uri().toString();
            Terminal.tell("bsg: sign in to " + profile.issuer()
                    + " in your browser; if it does not open, open this link:\n" + url);
            Browser.open(url);
            Map<String, String> params;
            try {
                params = callback.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new CliException(
                        "the sign-in was not finished within " + WAIT.toMinutes() + " minutes; run the command again");
            } catch (Exception e) {
                throw new CliException("the sign-in was interrupted: " + e.getMessage());
            }
            if (params.containsKey("error")) {
                String error = params.get("error");
                throw new CliException(
                        error.equals("access_denied")
                                ? "the sign-in was cancelled at the identity provider; run the command again to retry"
                                : "the identity provider refused the sign-in: "
                                        + params.getOrDefault("error_description", error)
                                        + (error.contains("client")
                                                ? " (check client_id in " + profile.source() + ")"
                                                : ""));
            }
            return oidc.redeem(params.get("code"), authorization.nonce(), authorization.verifier());
        } catch (OidcClient.OidcException e) {
            throw new CliException(e.getMessage() + " (profile '" + profile.name() + "' in " + profile.source() + ")");
        } finally {
            server.stop(0);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) return out;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0)
                out.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
