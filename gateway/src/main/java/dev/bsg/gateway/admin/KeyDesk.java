package dev.bsg.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.auth.ApiKeyFormat;
import dev.bsg.gateway.auth.Authenticator;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.User;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Issuing, listing and revoking API keys, for admins (any user) and for users themselves (their own): the JSON API
 * and the console's forms go through the same rules and the same audit.
 */
public final class KeyDesk {
    private final ApiKeyStore keys;
    private final AuditLog audit;
    private final Authenticator authenticator;
    private final int maxKeysPerUser;

    KeyDesk(ApiKeyStore keys, AuditLog audit, Authenticator authenticator, int maxKeysPerUser) {
        this.keys = keys;
        this.audit = audit;
        this.authenticator = authenticator;
        this.maxKeysPerUser = maxKeysPerUser;
    }

    /** What a request for a new key asks for, validated before anything is created. */
    public record KeyRequest(String name, Long expiresAt, String team, String project) {}

    /** A key just made, with its secret: shown this once. */
    public record Issued(ApiKey key, String secret) {}

    /** Reads {@code name} and optional {@code expires_at}; bad values are a 400 before anything changes. */
    public static KeyRequest read(JsonNode body) {
        String name = string(body, "name", 200);
        return new KeyRequest(name == null ? "default" : name, expiry(body), tag(body, "team"), tag(body, "project"));
    }

    /**
     * An optional text field: absent or null is null; anything but a string of 1 to {@code max} characters
     * (without control characters) is a 400 naming the field. Wrong types are never coerced.
     */
    static String string(JsonNode body, String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw new HttpError(ApiError.invalidRequest(field + ": must be a string"));
        String text = value.asText().strip();
        if (text.isEmpty() || text.length() > max)
            throw new HttpError(ApiError.invalidRequest(field + ": 1 to " + max + " characters"));
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i)))
                throw new HttpError(ApiError.invalidRequest(field + ": must not contain control characters"));
        }
        return text;
    }

    /** An optional reporting tag: 1 to 100 letters, digits and . _ : / -. */
    static String tag(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        String text = value.asText().strip();
        if (!value.isTextual() || !text.matches("^[A-Za-z0-9][A-Za-z0-9._:/ -]{0,99}$")) {
            throw new HttpError(ApiError.invalidRequest(
                    field + ": use 1 to 100 letters, digits, spaces and . _ : / - (starting with a letter or digit)"));
        }
        return text;
    }

    /** Creates the key; answers 201 with the key, shown this once. */
    void issue(Exchange exchange, User user, KeyRequest request) {
        Issued issued = create(exchange, user, request);
        exchange.sendJson(201, Bodies.json(Bodies.Key.of(issued.key(), issued.secret(), System.currentTimeMillis())));
    }

    /** Creates a key for {@code user}, audited as the exchange's caller; a 400 when they have too many. */
    public Issued create(Exchange exchange, User user, KeyRequest request) {
        String name = request.name();
        Long expiresAt = request.expiresAt();
        if (keys.activeCount(user.id()) >= maxKeysPerUser) {
            audit(exchange, "key.create", user.email(), "refused", "limit of " + maxKeysPerUser + " keys");
            throw new HttpError(ApiError.invalidRequest(user.email() + " already has " + maxKeysPerUser
                    + " active keys (api_keys.max_per_user); revoke one first"));
        }
        String secret = ApiKeyFormat.generate();
        ApiKey key = keys.create(
                user.id(),
                name,
                Secrets.sha256(secret),
                ApiKeyFormat.hint(secret),
                expiresAt,
                request.team(),
                request.project());
        audit(exchange, "key.create", key.id() + " (" + user.email() + ")", "ok", name);
        return new Issued(key, secret);
    }

    void list(Exchange exchange, List<ApiKey> list) {
        long now = System.currentTimeMillis();
        exchange.sendJson(
                200,
                Bodies.json(new Bodies.Data<>(
                        list.stream().map(key -> Bodies.Key.of(key, null, now)).toList())));
    }

    void revoke(Exchange exchange, ApiKey key) {
        withdraw(exchange, key);
        exchange.sendJson(200, Bodies.json(new Bodies.Revoked(key.id(), true)));
    }

    /** Revokes the key on every instance at once, audited as the exchange's caller. */
    public void withdraw(Exchange exchange, ApiKey key) {
        boolean changed = keys.revoke(key.id());
        authenticator.forgetKey(key.id());
        audit(
                exchange,
                "key.revoke",
                key.id() + " (" + key.userEmail() + ")",
                changed ? "ok" : "already revoked",
                null);
    }

    void audit(Exchange exchange, String action, String target, String outcome, String detail) {
        String actor =
                exchange.principal() == null ? "unknown" : exchange.principal().email();
        audit.record(actor, action, target, outcome, exchange.clientIp(), detail);
    }

    static JsonNode jsonBody(Exchange exchange) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(exchange.body());
        } catch (IOException e) {
            throw new HttpError(ApiError.invalidRequest("request body is not valid JSON"));
        }
        if (body == null || !body.isObject())
            throw new HttpError(ApiError.invalidRequest("request body must be a JSON object"));
        return body;
    }

    static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || !value.isTextual() ? null : value.asText().strip();
    }

    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private static Long expiry(JsonNode body) {
        JsonNode value = body.get("expires_at");
        if (value == null || value.isNull()) return null;
        String usage = "expires_at: an ISO-8601 time such as 2027-01-31T00:00:00Z, before the year 10000";
        if (!value.isTextual()) throw new HttpError(ApiError.invalidRequest(usage));
        Instant at;
        try {
            at = Instant.parse(value.asText().strip());
        } catch (DateTimeParseException e) {
            throw new HttpError(ApiError.invalidRequest(usage));
        }
        if (at.isAfter(LATEST_EXPIRY)) throw new HttpError(ApiError.invalidRequest(usage));
        if (at.toEpochMilli() <= System.currentTimeMillis())
            throw new HttpError(ApiError.invalidRequest("expires_at: must be in the future"));
        return at.toEpochMilli();
    }
}
