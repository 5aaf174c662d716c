package dev.bsg.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An IAM role's trust policy, judged as STS judges AssumeRoleWithWebIdentity against it: an Allow statement for
 * the action and the federated principal whose every condition holds. Only the operators such policies use are
 * known (StringEquals, StringLike and their ForAnyValue forms); any other makes its statement refuse, and a
 * condition key the request lacks never matches, as in IAM.
 */
record TrustPolicy(JsonNode document) {
    static final String ACTION = "sts:AssumeRoleWithWebIdentity";

    boolean allows(String federatedPrincipal, Map<String, String> context) {
        for (JsonNode statement : values(document.path("Statement"))) {
            if (!statement.path("Effect").asText().equals("Allow")) continue;
            if (!texts(statement.path("Action")).contains(ACTION)) continue;
            if (!texts(statement.path("Principal").path("Federated")).contains(federatedPrincipal)) continue;
            if (conditionsHold(statement.path("Condition"), context)) return true;
        }
        return false;
    }

    private static boolean conditionsHold(JsonNode conditions, Map<String, String> context) {
        for (Map.Entry<String, JsonNode> operator : conditions.properties()) {
            String name = operator.getKey().replaceFirst("^ForAnyValue:", "");
            if (!name.equals("StringEquals") && !name.equals("StringLike")) return false;
            for (Map.Entry<String, JsonNode> key : operator.getValue().properties()) {
                String actual = context.get(key.getKey());
                if (actual == null) return false;
                boolean any = false;
                for (String expected : texts(key.getValue())) {
                    any |= name.equals("StringEquals")
                            ? actual.equals(expected)
                            : glob(expected).matcher(actual).matches();
                }
                if (!any) return false;
            }
        }
        return true;
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') regex.append(".*");
            else if (c == '?') regex.append('.');
            else regex.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }

    private static List<JsonNode> values(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) node.forEach(out::add);
        else if (!node.isMissingNode()) out.add(node);
        return out;
    }

    private static List<String> texts(JsonNode node) {
        return values(node).stream().map(JsonNode::asText).toList();
    }
}
