package dev.bsg.gateway.admin;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.protocol.errors.ApiError;

/** {@code /api/me} and {@code /api/keys}: a signed-in user sees themselves and manages their own keys. */
public final class SelfServiceApi {
    private final UserStore users;
    private final ApiKeyStore keys;
    private final KeyDesk desk;

    SelfServiceApi(UserStore users, ApiKeyStore keys, KeyDesk desk) {
        this.users = users;
        this.keys = keys;
        this.desk = desk;
    }

    public void me(Exchange exchange) {
        Principal principal = exchange.principal();
        User user = self(exchange);
        exchange.sendJson(
                200,
                Bodies.json(new Bodies.Me(
                        user.id(),
                        user.email(),
                        user.name(),
                        principal.groups(),
                        principal.admin(),
                        principal.keyId() == null ? "session" : "api_key")));
    }

    public void listKeys(Exchange exchange) {
        desk.list(exchange, keys.ofUser(self(exchange).id()));
    }

    public void createKey(Exchange exchange) {
        KeyDesk.KeyRequest request = KeyDesk.read(KeyDesk.jsonBody(exchange));
        desk.issue(exchange, self(exchange), request);
    }

    /** Only the caller's own keys; someone else's key answers 404, as if it did not exist. */
    public void revokeKey(Exchange exchange) {
        String id = exchange.pathParam("id");
        ApiKey key = keys.byId(id)
                .filter(k -> k.userId().equals(self(exchange).id()))
                .orElseThrow(() -> new HttpError(ApiError.notFound("no API key of yours with id " + id)));
        desk.revoke(exchange, key);
    }

    private User self(Exchange exchange) {
        Principal principal = exchange.principal();
        if (principal.userId() == null)
            throw new HttpError(ApiError.permission("this endpoint is for users; a static admin key has no user"));
        return users.byId(principal.userId())
                .orElseThrow(() -> new HttpError(ApiError.notFound("user no longer exists")));
    }
}
