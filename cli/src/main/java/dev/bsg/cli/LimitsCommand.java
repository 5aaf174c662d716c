package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "limits",
        mixinStandardHelpOptions = true,
        description = "Spend limits per user, group or the whole organisation.")
final class LimitsCommand {
    @ParentCommand
    AdminCommand admin;

    static final List<String> COLUMNS = List.of("id", "scope", "period", "limit_usd", "updated_at");

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List spend limits.")
    int list() {
        var answer = admin.call("GET", "/v1/organizations/spend_limits?limit=1000", null);
        for (var row : answer.path("data")) {
            ((ObjectNode) row).put("scope", scope(row.path("scope")));
            ((ObjectNode) row).put("limit_usd", dollars(row.path("amount")));
        }
        admin.print(answer, COLUMNS);
        return 0;
    }

    static final class Scope {
        @Option(names = "--user", description = "A user's email (or user id).")
        String user;

        @Option(names = "--group", description = "An IdP group: a per-seat limit for each member.")
        String group;

        @Option(names = "--org", description = "The organisation's default for every person.")
        boolean org;
    }

    static final class Amount {
        @Option(names = "--usd", description = "The limit in US dollars, e.g. 25 or 12.50.")
        BigDecimal usd;

        @Option(names = "--unlimited", description = "Explicitly unlimited (overrides group and organisation limits).")
        boolean unlimited;
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = "Create or replace the limit for a scope and period.")
    int set(
            @ArgGroup(exclusive = true, multiplicity = "1") Scope scope,
            @Option(names = "--period", required = true, description = "daily, weekly (from Monday) or monthly; UTC.")
                    String period,
            @ArgGroup(exclusive = true, multiplicity = "1") Amount amount,
            @Option(
                            names = "--alert-at",
                            split = ",",
                            description = "Alert at these percentages of this limit (e.g. 50,90; 'none' for no"
                                    + " alerts); default: the gateway's alerts.thresholds.")
                    List<String> alertAt) {
        Map<String, Object> scopeBody = new LinkedHashMap<>();
        if (scope.user != null) scopeBody.putAll(Map.of("type", "user", "user_id", scope.user));
        else if (scope.group != null) scopeBody.putAll(Map.of("type", "rbac_group", "rbac_group_id", scope.group));
        else scopeBody.put("type", "organization");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("scope", scopeBody);
        body.put("period", period);
        if (amount.unlimited) body.put("amount", null);
        else {
            if (amount.usd.signum() < 0 || amount.usd.scale() > 2)
                throw new CliException("--usd " + amount.usd + ": use dollars and at most cents, such as 25 or 12.50");
            body.put("amount", amount.usd.movePointRight(2).toBigIntegerExact().toString());
        }
        if (alertAt != null) {
            List<Integer> percents = new ArrayList<>();
            for (String percent : alertAt) {
                if (percent.equals("none")) continue;
                if (!percent.matches("^[1-9][0-9]{0,3}$"))
                    throw new CliException("--alert-at " + percent + ": whole percentages such as 50,90, or none");
                percents.add(Integer.parseInt(percent));
            }
            body.put("alert_thresholds", percents);
        }
        var saved = admin.call("POST", "/v1/organizations/spend_limits", body);
        if (admin.json) System.out.println(saved.toPrettyString());
        else
            System.out.println(saved.path("id").asText() + ": " + scope(saved.path("scope")) + " "
                    + saved.path("period").asText() + " " + dollars(saved.path("amount"))
                    + (saved.path("alert_thresholds").isArray()
                            ? ", alerts at "
                                    + (saved.path("alert_thresholds").isEmpty()
                                            ? "none"
                                            : saved.path("alert_thresholds")
                                                            .toString()
                                                            .replaceAll("[\\[\\]]", "") + " %")
                            : ""));
        return 0;
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a spend limit.")
    int delete(@Parameters(paramLabel = "LIMIT_ID") String id) {
        admin.call("DELETE", "/v1/organizations/spend_limits/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
        System.out.println("deleted " + id);
        return 0;
    }

    @Command(
            name = "effective",
            mixinStandardHelpOptions = true,
            description = "The limit in effect for each person, with their spend so far.")
    int effective(
            @Option(names = "--period", description = "Only daily, weekly or monthly.") String period,
            @Option(names = "--user", description = "Only users whose email or name contains this.") String user) {
        StringBuilder query = new StringBuilder("?limit=1000&sort=spend_desc");
        if (period != null) query.append("&period[]=").append(URLEncoder.encode(period, StandardCharsets.UTF_8));
        if (user != null) query.append("&q=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
        var answer = admin.call("GET", "/v1/organizations/spend_limits/effective" + query, null);
        for (var row : answer.path("data")) {
            var shown = (ObjectNode) row;
            shown.put("email", row.path("actor").path("email_address").asText());
            shown.put("limit_usd", dollars(row.path("amount")));
            shown.put("spent_usd", dollars(row.path("period_to_date_spend")));
        }
        admin.print(answer, List.of("email", "period", "limit_usd", "source", "spent_usd"));
        return 0;
    }

    /** The API's USD cents (Anthropic's admin API shape) as the dollars a person reads; null is unlimited. */
    static String dollars(JsonNode cents) {
        if (cents.isNull() || cents.isMissingNode()) return "unlimited";
        BigDecimal usd = new BigDecimal(cents.asText()).movePointLeft(2).stripTrailingZeros();
        return "$" + (usd.scale() < 2 ? usd.setScale(2) : usd).toPlainString();
    }

    static String scope(JsonNode scope) {
        return switch (scope.path("type").asText()) {
            case "user" -> "user:" + scope.path("user_id").asText();
            case "rbac_group" -> "group:" + scope.path("rbac_group_id").asText();
            default -> "organization";
        };
    }
}
