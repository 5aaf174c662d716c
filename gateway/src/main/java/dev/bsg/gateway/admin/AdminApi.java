package dev.bsg.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.auth.Authenticator;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.User;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.protocol.errors.ApiError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/** {@code /api/admin/*}: users, keys and the audit trail. Every change is audited. */
public final class AdminApi {
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s\\p{Cntrl}]{1,64}@[^@\\s\\p{Cntrl}]{1,255}$");

    private final UserStore users;
    private final ApiKeyStore keys;
    private final AuditLog audit;
    private final Authenticator authenticator;
    private final KeyDesk desk;

    public AdminApi(
            UserStore users, ApiKeyStore keys, AuditLog audit, Authenticator authenticator, int maxKeysPerUser) {
        this.users = users;
        this.keys = keys;
        this.audit = audit;
        this.authenticator = authenticator;
        this.desk = new KeyDesk(keys, audit, authenticator, maxKeysPerUser);
    }

    /** The desk that issues and revokes keys, for the console. */
    public KeyDesk desk() {
        return desk;
    }

    /** The self-service API shares this desk: same rules, same audit. */
    public SelfServiceApi selfService() {
        return new SelfServiceApi(users, keys, desk);
    }

    public void createKey(Exchange exchange) {
        JsonNode body = KeyDesk.jsonBody(exchange);
        String email = KeyDesk.text(body, "user_email");
        if (email == null || email.length() > 320 || !EMAIL.matcher(email).matches())
            throw new HttpError(ApiError.invalidRequest("user_email: a valid email address is required"));
        KeyDesk.KeyRequest request = KeyDesk.read(body);
        desk.issue(exchange, users.findOrCreate(email, KeyDesk.string(body, "user_name", 200)), request);
    }

    public void listKeys(Exchange exchange) {
        String email = exchange.query("user_email");
        desk.list(
                exchange,
                email == null
                        ? keys.all()
                        : users.byEmail(email).map(u -> keys.ofUser(u.id())).orElse(List.of()));
    }

    public void revokeKey(Exchange exchange) {
        String id = exchange.pathParam("id");
        desk.revoke(
                exchange,
                keys.byId(id).orElseThrow(() -> new HttpError(ApiError.notFound("no API key with id " + id))));
    }

    public void listUsers(Exchange exchange) {
        List<User> all = users.all();
        exchange.sendJson(
                200,
                Bodies.json(
                        new Bodies.Data<>(all.stream().map(Bodies.Person::of).toList())));
    }

    public void getUser(Exchange exchange) {
        User user = findUser(exchange.pathParam("id"));
        exchange.sendJson(200, Bodies.json(Bodies.Person.of(user)));
    }

    /** PATCH: {@code disabled}, {@code team} and {@code name}; disabling cuts the user's keys off at once on this instance. */
    public void updateUser(Exchange exchange) {
        User updated = update(exchange, findUser(exchange.pathParam("id")), KeyDesk.jsonBody(exchange));
        exchange.sendJson(200, Bodies.json(Bodies.Person.of(updated)));
    }

    /** Applies {@code disabled}, {@code team} and {@code name} from {@code body}, each checked before any changes. */
    public User update(Exchange exchange, User user, JsonNode body) {
        // Every field is checked before anything changes.
        if (body.has("disabled") && !body.get("disabled").isBoolean())
            throw new HttpError(ApiError.invalidRequest("disabled: must be true or false"));
        String name = KeyDesk.string(body, "name", 200);
        if (body.has("team")) KeyDesk.tag(body, "team");
        if (body.has("disabled")) {
            boolean disabled = body.get("disabled").asBoolean();
            users.setDisabled(user.id(), disabled);
            authenticator.forgetUser(user.id());
            desk.audit(exchange, disabled ? "user.disable" : "user.enable", user.email(), "ok", null);
        }
        if (body.has("team")) {
            String team = KeyDesk.tag(body, "team");
            users.setTeam(user.id(), team);
            authenticator.forgetTags();
            desk.audit(exchange, "user.team", user.email(), "ok", team);
        }
        if (body.has("name")) {
            users.rename(user.id(), name);
            desk.audit(exchange, "user.rename", user.email(), "ok", null);
        }
        return users.byId(user.id()).orElseThrow();
    }

    public void listAudit(Exchange exchange) {
        int limit = SpendLimitsApi.number(exchange.query("limit"), "limit", 100, 1, 1000);
        List<AuditLog.Event> events = audit.recent(limit);
        exchange.sendJson(
                200,
                Bodies.json(new Bodies.Data<>(
                        events.stream().map(Bodies.AuditEvent::of).toList())));
    }

    private User findUser(String idOrEmail) {
        String decoded = URLDecoder.decode(idOrEmail, StandardCharsets.UTF_8);
        return (decoded.contains("@") ? users.byEmail(decoded) : users.byId(decoded))
                .orElseThrow(() -> new HttpError(ApiError.notFound("no user " + decoded)));
    }
}
