package dev.bsg.gateway.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.bsg.gateway.store.ApiKey;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.SpendLimitStore.SpendLimit;
import dev.bsg.gateway.store.User;
import dev.bsg.protocol.pricing.Price;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The admin and self-service API's JSON shapes, written by Jackson: record components become snake_case fields, in
 * declaration order; nulls are written as null. Times are ISO-8601 strings, money is a string of USD cents.
 */
final class Bodies {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private Bodies() {}

    static byte[] json(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String iso(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
    }

    /** A list answer: {@code {"data": [...]}}. */
    record Data<T>(List<T> data) {}

    /** A page of a list, with the ids to page on (Anthropic's Admin API shape). */
    record Page<T>(List<T> data, boolean hasMore, String firstId, String lastId) {
        static <S, T> Page<T> of(List<S> items, Function<S, T> body, Function<S, String> id, boolean hasMore) {
            return new Page<>(
                    items.stream().map(body).toList(),
                    hasMore,
                    items.isEmpty() ? null : id.apply(items.get(0)),
                    items.isEmpty() ? null : id.apply(items.get(items.size() - 1)));
        }
    }

    /** @param key the secret, only in the answer that creates it */
    record Key(
            String id,
            String name,
            String userId,
            String userEmail,
            String hint,
            String team,
            String project,
            String createdAt,
            String expiresAt,
            String revokedAt,
            String status,
            @JsonInclude(JsonInclude.Include.NON_NULL) String key) {
        static Key of(ApiKey key, String secret, long now) {
            return new Key(
                    key.id(),
                    key.name(),
                    key.userId(),
                    key.userEmail(),
                    key.hint(),
                    key.team(),
                    key.project(),
                    iso(key.createdAt()),
                    iso(key.expiresAt()),
                    iso(key.revokedAt()),
                    key.status(now),
                    secret);
        }
    }

    record Revoked(String id, boolean revoked) {}

    record Person(String id, String email, String name, boolean disabled, String team, String createdAt) {
        static Person of(User user) {
            return new Person(
                    user.id(), user.email(), user.name(), user.disabled(), user.team(), iso(user.createdAt()));
        }
    }

    record Me(String id, String email, String name, List<String> groups, boolean admin, String credential) {}

    record AuditEvent(
            String id,
            String at,
            String actor,
            String action,
            String target,
            String outcome,
            String sourceIp,
            String detail) {
        static AuditEvent of(AuditLog.Event e) {
            return new AuditEvent(
                    e.id(), iso(e.at()), e.actor(), e.action(), e.target(), e.outcome(), e.sourceIp(), e.detail());
        }
    }

    record LimitChange(String id, String createdAt, String actor, String action, String target, String detail) {
        static LimitChange of(AuditLog.Event e) {
            return new LimitChange(
                    e.id(),
                    iso(e.at()),
                    e.actor(),
                    e.action().equals("admin.limit.delete") ? "delete" : "upsert",
                    e.target(),
                    e.detail());
        }
    }

    /** Whom a spend limit covers: {@code user_id} or {@code rbac_group_id} by type, neither for the organisation. */
    record Scope(
            String type,
            @JsonInclude(JsonInclude.Include.NON_NULL) String userId,
            @JsonInclude(JsonInclude.Include.NON_NULL) String rbacGroupId) {
        static Scope of(String type, String value) {
            return new Scope(type, type.equals("user") ? value : null, type.equals("rbac_group") ? value : null);
        }
    }

    record Limit(
            String type,
            String id,
            String createdAt,
            String updatedAt,
            Scope scope,
            String amount,
            String currency,
            String period,
            List<Integer> alertThresholds) {
        /** {@code alert_thresholds} is the gateway's own: null when the limit takes the configured defaults. */
        static Limit of(SpendLimit l) {
            return new Limit(
                    "spend_limit",
                    l.id(),
                    iso(l.createdAt()),
                    iso(l.updatedAt()),
                    Scope.of(l.scopeType(), l.scopeValue()),
                    l.amountCents() == null ? null : l.amountCents().toString(),
                    "USD",
                    l.period(),
                    l.alertThresholds() == null ? null : l.thresholds(List.of()));
        }
    }

    record LimitDeleted(String type, String id) {}

    record Actor(String type, String userId, String name, String emailAddress, boolean deleted) {}

    /** One person's limit in effect for one period, where it comes from, and the spend so far. */
    record EffectiveLimit(
            Scope scope,
            List<String> groups,
            Actor actor,
            String amount,
            String currency,
            String period,
            String source,
            String spendLimitId,
            String periodToDateSpend) {}

    record EffectivePage(List<EffectiveLimit> data, boolean hasMore, Integer nextPage) {}

    record PriceRow(
            String model,
            String region,
            String input,
            String output,
            String cacheRead,
            String cacheWrite5m,
            String cacheWrite1h,
            String regionalPremiumPercent) {
        static PriceRow of(Price p) {
            return new PriceRow(
                    p.model(),
                    p.region(),
                    p.input().toPlainString(),
                    p.output().toPlainString(),
                    p.cacheRead().toPlainString(),
                    p.cacheWrite5m().toPlainString(),
                    p.cacheWrite1h().toPlainString(),
                    p.regionalPremiumPercent().toPlainString());
        }
    }

    record Prices(String version, String unit, List<PriceRow> data) {}

    record PricesImported(String version, String previousVersion, int rows) {}
}
