package dev.bsg.gateway.limits;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/oauth/usage}: the caller's spend against their limits, in the shape Claude Code reads
 * from a gateway to show usage and warn near a limit. Amounts are USD cents.
 */
public final class UsageStandingEndpoint {
    private final Budgets budgets;

    public UsageStandingEndpoint(Budgets budgets) {
        this.budgets = budgets;
    }

    public void serve(Exchange exchange) {
        Principal principal = exchange.principal();
        if (principal.userId() == null)
            throw new HttpError(
                    ApiError.permission("this endpoint is for users; a static admin key has no usage of its own"));
        Instant now = Instant.now();
        List<Budgets.Standing> standings = budgets.standings(principal, now);
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("extra_usage");
            g.writeBooleanField("is_enabled", true);
            Budgets.Standing monthly = find(standings, Period.MONTHLY);
            writeNumber(g, "monthly_limit", monthly == null ? null : BigDecimal.valueOf(monthly.limitCents()));
            writeNumber(g, "used_credits", cents(budgets.spent(principal.userId(), Period.MONTHLY, now)));
            writeNumber(g, "utilization", percent(monthly));
            g.writeStringField("currency", "USD");
            for (Period period : List.of(Period.DAILY, Period.WEEKLY)) {
                Budgets.Standing standing = find(standings, period);
                g.writeObjectFieldStart(period.apiName());
                writeNumber(g, "limit", standing == null ? null : BigDecimal.valueOf(standing.limitCents()));
                writeNumber(g, "used_credits", cents(budgets.spent(principal.userId(), period, now)));
                writeNumber(g, "utilization", percent(standing));
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeArrayFieldStart("limits");
            for (Budgets.Standing standing : standings) {
                if (standing.level().equals("ok")) continue;
                g.writeStartObject();
                g.writeStringField("kind", "spend");
                g.writeStringField("group", standing.period().apiName());
                g.writeNumberField("percent", percent(standing).intValue());
                g.writeStringField("resets_at", standing.resetsAt().toString());
                g.writeStringField("severity", standing.level());
                g.writeBooleanField("is_active", true);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    private static Budgets.Standing find(List<Budgets.Standing> standings, Period period) {
        for (Budgets.Standing standing : standings) if (standing.period() == period) return standing;
        return null;
    }

    private static BigDecimal cents(long nanos) {
        return BigDecimal.valueOf(nanos, 7).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    private static BigDecimal percent(Budgets.Standing standing) {
        if (standing == null) return null;
        return BigDecimal.valueOf(standing.utilization() * 100)
                .setScale(1, RoundingMode.HALF_UP)
                .stripTrailingZeros();
    }

    private static void writeNumber(JsonGenerator g, String field, BigDecimal value) throws IOException {
        if (value == null) g.writeNullField(field);
        else g.writeNumberField(field, value.compareTo(BigDecimal.ZERO) == 0 ? BigDecimal.ZERO : value);
    }
}
