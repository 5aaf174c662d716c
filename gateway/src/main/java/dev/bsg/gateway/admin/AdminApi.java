package dev.bsg.gateway.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.auth.ApiKeyFormat;
import dev.bsg.gateway.auth.Authenticator;
import dev.bsg.gateway.auth.Secrets;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/** {@code /api/admin/*}: users, keys and the audit trail. Every change is audited. */
public final class AdminApi {
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]{1,255}$");

    private final UserStore users;
    private final ApiKeyStore keys;
    private final AuditLog audit;
    private final Authenticator authenticator;
    private final int maxKeysPerUser;

    public AdminApi(UserStore users, ApiKeyStore keys, AuditLog audit, Authenticator authenticator, int maxKeysPerUser) {
        this.users = users;
        this.keys = keys;
        this.audit = audit;
        this.authenticator = authenticator;
        this.maxKeysPerUser = maxKeysPerUser;
    }

    public void createKey(Exchange exchange) {
        JsonNode body = jsonBody(exchange);
        String email = text(body, "user_email");
        String name = body.path("name").asText("default").strip();
        if (email == null || !EMAIL.matcher(email).matches()) throw new HttpError(ApiError.invalidRequest("user_email: a valid email address is required"));
        if (name.isEmpty() || name.length() > 200) throw new HttpError(ApiError.invalidRequest("name: 1 to 200 characters"));
        Long expiresAt = expiry(body);
        User user = users.findOrCreate(email, body.path("user_name").asText(null));
        if (keys.activeCount(user.id()) >= maxKeysPerUser) {
            audit(exchange, "key.create", email, "refused", "limit of " + maxKeysPerUser + " keys");
            throw new HttpError(ApiError.invalidRequest(email + " already has " + maxKeysPerUser + " active keys (api_keys.max_per_user); revoke one first"));
        }
        String secret = ApiKeyFormat.generate();
        ApiKey key = keys.create(user.id(), name, Secrets.sha256(secret), ApiKeyFormat.hint(secret), expiresAt);
        audit(exchange, "key.create", key.id() + " (" + email + ")", "ok", name);
        exchange.sendJson(201, Json.write(g -> {
            g.writeStartObject();
            writeKeyFields(g, key);
            g.writeStringField("key", secret);
            g.writeEndObject();
        }));
    }

    public void listKeys(Exchange exchange) {
        String email = exchange.query("user_email");
        List<ApiKey> list;
        if (email == null) list = keys.all();
        else list = users.byEmail(email).map(u -> keys.ofUser(u.id())).orElse(List.of());
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (ApiKey key : list) {
                g.writeStartObject();
                writeKeyFields(g, key);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    public void revokeKey(Exchange exchange) {
        String id = exchange.pathParam("id");
        ApiKey key = keys.byId(id).orElseThrow(() -> new HttpError(ApiError.notFound("no API key with id " + id)));
        boolean changed = keys.revoke(id);
        authenticator.forgetKey(id);
        audit(exchange, "key.revoke", id + " (" + key.userEmail() + ")", changed ? "ok" : "already revoked", null);
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeBooleanField("revoked", true);
            g.writeEndObject();
        }));
    }

    public void listUsers(Exchange exchange) {
        List<User> all = users.all();
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (User user : all) writeUser(g, user);
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    public void getUser(Exchange exchange) {
        User user = findUser(exchange.pathParam("id"));
        exchange.sendJson(200, Json.write(g -> writeUser(g, user)));
    }

    /** PATCH: {@code disabled} and {@code name}; disabling cuts the user's keys off at once on this instance. */
    public void updateUser(Exchange exchange) {
        User user = findUser(exchange.pathParam("id"));
        JsonNode body = jsonBody(exchange);
        if (body.has("disabled")) {
            if (!body.get("disabled").isBoolean()) throw new HttpError(ApiError.invalidRequest("disabled: must be true or false"));
            boolean disabled = body.get("disabled").asBoolean();
            users.setDisabled(user.id(), disabled);
            authenticator.forgetUser(user.id());
            audit(exchange, disabled ? "user.disable" : "user.enable", user.email(), "ok", null);
        }
        if (body.has("name")) {
            users.rename(user.id(), body.get("name").asText());
            audit(exchange, "user.rename", user.email(), "ok", null);
        }
        User updated = users.byId(user.id()).orElseThrow();
        exchange.sendJson(200, Json.write(g -> writeUser(g, updated)));
    }

    public void listAudit(Exchange exchange) {
        int limit = 100;
        String limitText = exchange.query("limit");
        if (limitText != null) {
            try {
                limit = Math.max(1, Math.min(1000, Integer.parseInt(limitText)));
            } catch (NumberFormatException e) {
                throw new HttpError(ApiError.invalidRequest("limit: must be a number from 1 to 1000"));
            }
        }
        List<AuditLog.Event> events = audit.recent(limit);
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (AuditLog.Event e : events) {
                g.writeStartObject();
                g.writeStringField("id", e.id());
                g.writeStringField("at", Instant.ofEpochMilli(e.at()).toString());
                g.writeStringField("actor", e.actor());
                g.writeStringField("action", e.action());
                g.writeStringField("target", e.target());
                g.writeStringField("outcome", e.outcome());
                g.writeStringField("source_ip", e.sourceIp());
                g.writeStringField("detail", e.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    private User findUser(String idOrEmail) {
        String decoded = java.net.URLDecoder.decode(idOrEmail, java.nio.charset.StandardCharsets.UTF_8);
        return (decoded.contains("@") ? users.byEmail(decoded) : users.byId(decoded))
                .orElseThrow(() -> new HttpError(ApiError.notFound("no user " + decoded)));
    }

    private void audit(Exchange exchange, String action, String target, String outcome, String detail) {
        String actor = exchange.principal() == null ? "unknown" : exchange.principal().email();
        audit.record(actor, action, target, outcome, exchange.clientIp(), detail);
    }

    private static JsonNode jsonBody(Exchange exchange) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(exchange.body());
        } catch (IOException e) {
            throw new HttpError(ApiError.invalidRequest("request body is not valid JSON"));
        }
        if (body == null || !body.isObject()) throw new HttpError(ApiError.invalidRequest("request body must be a JSON object"));
        return body;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || !value.isTextual() ? null : value.asText().strip();
    }

    private static Long expiry(JsonNode body) {
        String text = text(body, "expires_at");
        if (text == null) return null;
        try {
            long at = Instant.parse(text).toEpochMilli();
            if (at <= System.currentTimeMillis()) throw new HttpError(ApiError.invalidRequest("expires_at: must be in the future"));
            return at;
        } catch (DateTimeParseException e) {
            throw new HttpError(ApiError.invalidRequest("expires_at: use an ISO-8601 time such as 2027-01-31T00:00:00Z"));
        }
    }

    private static void writeKeyFields(JsonGenerator g, ApiKey key) throws IOException {
        g.writeStringField("id", key.id());
        g.writeStringField("name", key.name());
        g.writeStringField("user_id", key.userId());
        g.writeStringField("user_email", key.userEmail());
        g.writeStringField("hint", key.hint());
        g.writeStringField("created_at", Instant.ofEpochMilli(key.createdAt()).toString());
        g.writeStringField("expires_at", key.expiresAt() == null ? null : Instant.ofEpochMilli(key.expiresAt()).toString());
        g.writeStringField("revoked_at", key.revokedAt() == null ? null : Instant.ofEpochMilli(key.revokedAt()).toString());
        g.writeStringField("status", key.revokedAt() != null ? "revoked" : key.usableAt(System.currentTimeMillis()) ? "active" : "inactive");
    }

    private static void writeUser(JsonGenerator g, User user) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", user.id());
        g.writeStringField("email", user.email());
        g.writeStringField("name", user.name());
        g.writeBooleanField("disabled", user.disabled());
        g.writeStringField("created_at", Instant.ofEpochMilli(user.createdAt()).toString());
        g.writeEndObject();
    }
}
