package dev.bsg.gateway.limits;

import dev.bsg.gateway.core.Counters;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.Interceptor;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import dev.bsg.protocol.errors.ApiError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits link of the chain, before anything goes upstream: requests and tokens per minute per key,
 * user and group, concurrent requests per user, then spend limits. Afterwards the request's tokens and
 * cost are added to the counters the next request is judged by.
 */
public final class RequestLimits {
    private static final Logger LOG = LoggerFactory.getLogger(RequestLimits.class);
    private static final Duration WINDOW_TTL = Duration.ofMinutes(2);
    private static final Duration CONCURRENCY_TTL = Duration.ofMinutes(10);

    private final Settings.Limits settings;
    private final Counters counters;
    private final Budgets budgets;
    private final GatewayMetrics metrics;
    private final Clock clock;

    public RequestLimits(
            Settings.Limits settings, Counters counters, Budgets budgets, GatewayMetrics metrics, Clock clock) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.budgets = budgets;
        this.metrics = metrics;
    }

    /** One counter a request is checked against. */
    private record Check(String key, long increment, long limit, String limitName, String scope, boolean concurrency) {
        boolean tokens() {
            return !concurrency && increment == 0;
        }
    }

    public Interceptor interceptor() {
        return (exchange, chain) -> {
            Principal principal = exchange.principal();
            if (principal.userId() == null && principal.keyId() == null) {
                chain.proceed(exchange); // a static admin key: an operator, not a person to limit
                return;
            }
            long now = clock.millis();
            List<Check> checks = checks(principal, now / 60_000);
            if (!checks.isEmpty() && !acquire(exchange, checks, now)) return;
            // Given back before the client has the answer's last byte, so its next request finds the slot free.
            if (checks.stream().anyMatch(Check::concurrency)) exchange.beforeLastByte(() -> release(principal));
            try {
                Budgets.Standing standing = budgets.check(principal, Instant.ofEpochMilli(now));
                if (standing != null && standing.blocked()) {
                    refuse(exchange, standing, Instant.ofEpochMilli(now));
                    return;
                }
                if (standing != null) announce(exchange, standing);
                chain.proceed(exchange);
            } finally {
                exchange.whenDone(() -> afterwards(exchange, checks));
            }
        };
    }

    private List<Check> checks(Principal principal, long minute) {
        List<Check> checks = new ArrayList<>(6);
        if (principal.keyId() != null) rate(checks, settings.key(), "key", principal.keyId(), minute);
        if (principal.userId() != null) rate(checks, settings.user(), "user", principal.userId(), minute);
        for (String group : principal.groups()) {
            Settings.Rate rate = settings.groups().get(group);
            if (rate != null) rate(checks, rate, "group", group, minute);
        }
        if (settings.userConcurrency() > 0 && principal.userId() != null) {
            checks.add(new Check(
                    "cc:user:" + principal.userId(),
                    1,
                    settings.userConcurrency(),
                    "concurrent requests",
                    "user",
                    true));
        }
        return checks;
    }

    private static void rate(List<Check> checks, Settings.Rate rate, String scope, String id, long minute) {
        if (rate.requestsPerMinute() > 0) {
            checks.add(new Check(
                    "rl:" + scope + ":" + id + ":r:" + minute,
                    1,
                    rate.requestsPerMinute(),
                    "requests per minute",
                    scope,
                    false));
        }
        if (rate.tokensPerMinute() > 0) {
            // Tokens are known only afterwards: a request may start while the minute's total is below the limit.
            checks.add(new Check(
                    "rl:" + scope + ":" + id + ":t:" + minute,
                    0,
                    rate.tokensPerMinute() - 1,
                    "tokens per minute",
                    scope,
                    false));
        }
    }

    private boolean acquire(Exchange exchange, List<Check> checks, long now) {
        String[] keys = new String[checks.size()];
        long[] increments = new long[checks.size()];
        long[] limits = new long[checks.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = checks.get(i).key();
            increments[i] = checks.get(i).increment();
            limits[i] = checks.get(i).limit();
        }
        int refused;
        try {
            refused = counters.tryAdd(keys, increments, limits, CONCURRENCY_TTL);
        } catch (RuntimeException e) {
            LOG.warn("rate limits could not be checked ({}); allowing the request", e.getMessage());
            return true;
        }
        if (refused < 0) return true;
        Check check = checks.get(refused);
        metrics.limitRejection(
                check.concurrency()
                        ? "concurrency"
                        : check.limitName().startsWith("tokens") ? "tokens_per_minute" : "requests_per_minute",
                check.scope());
        long retryAfter = check.concurrency() ? 1 : Math.max(1, (60_000 - now % 60_000 + 999) / 1000);
        exchange.setHeader("retry-after", Long.toString(retryAfter));
        long shown =
                check.concurrency() || check.limitName().startsWith("requests") ? check.limit() : check.limit() + 1;
        exchange.sendError(ApiError.rateLimited("rate limit reached: " + shown + " " + check.limitName() + " per "
                + check.scope()
                + (check.concurrency() ? "; wait for a request to finish" : "; retry after " + retryAfter + " s")));
        return false;
    }

    private void release(Principal principal) {
        try {
            counters.add(new String[] {"cc:user:" + principal.userId()}, -1, CONCURRENCY_TTL);
        } catch (RuntimeException e) {
            LOG.warn("a concurrency slot could not be released ({}); it expires on its own", e.getMessage());
        }
    }

    private void afterwards(Exchange exchange, List<Check> checks) {
        long tokens = exchange.usage().totalTokens();
        if (tokens > 0) {
            List<String> keys = new ArrayList<>(2);
            for (Check check : checks) if (check.tokens()) keys.add(check.key());
            if (!keys.isEmpty()) {
                try {
                    counters.add(keys.toArray(String[]::new), tokens, WINDOW_TTL);
                } catch (RuntimeException e) {
                    LOG.warn("token counters could not be updated ({})", e.getMessage());
                }
            }
        }
    }

    /** 429 in the shape Claude Code understands for a spend cap, with the period and reset time, and no retry. */
    /** A capped person's answers say how close they are, so Claude Code can warn before the limit stops them. */
    private static void announce(Exchange exchange, Budgets.Standing standing) {
        double utilization = standing.utilization();
        String status = utilization >= Budgets.WARNING_AT ? "allowed_warning" : "allowed";
        String reset = Long.toString(standing.resetsAt().getEpochSecond());
        exchange.setHeader("anthropic-ratelimit-unified-status", status);
        exchange.setHeader("anthropic-ratelimit-unified-representative-claim", "overage");
        exchange.setHeader("anthropic-ratelimit-unified-overage-status", status);
        exchange.setHeader(
                "anthropic-ratelimit-unified-overage-utilization", String.format(Locale.ROOT, "%.2f", utilization));
        if (utilization >= Budgets.WARNING_AT)
            exchange.setHeader(
                    "anthropic-ratelimit-unified-overage-surpassed-threshold", utilization >= 0.95 ? "0.95" : "0.75");
        exchange.setHeader("anthropic-ratelimit-unified-reset", reset);
        exchange.setHeader("anthropic-ratelimit-unified-overage-reset", reset);
    }

    private void refuse(Exchange exchange, Budgets.Standing block, Instant now) {
        metrics.limitRejection("spend_" + block.period().apiName(), "user");
        long reset = block.resetsAt().getEpochSecond();
        exchange.setHeader("x-should-retry", "false");
        exchange.setHeader("retry-after", Long.toString(Math.max(1, reset - now.getEpochSecond())));
        exchange.setHeader("anthropic-ratelimit-unified-status", "rejected");
        exchange.setHeader("anthropic-ratelimit-unified-overage-utilization", "1");
        exchange.setHeader("anthropic-ratelimit-unified-overage-surpassed-threshold", "1");
        exchange.setHeader("anthropic-ratelimit-unified-reset", Long.toString(reset));
        exchange.setHeader("anthropic-ratelimit-unified-overage-reset", Long.toString(reset));
        exchange.setHeader(
                "anthropic-ratelimit-unified-overage-period", block.period().apiName());
        exchange.setHeader(
                "anthropic-ratelimit-unified-overage-disabled-reason",
                block.spentNanos() < 0 ? "fetch_error" : "org_spend_cap_reached");
        String message = block.spentNanos() < 0
                ? "spend limit unavailable (" + block.period().apiName() + " limit could not be checked; retry later)"
                : "spend limit reached (" + block.period().apiName() + "; resets " + block.resetsAt() + ")";
        exchange.sendError(ApiError.spendLimit(message));
    }
}
