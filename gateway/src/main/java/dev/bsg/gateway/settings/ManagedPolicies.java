package dev.bsg.gateway.settings;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.settings.ConfigBinding.Invalid;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Claude Code managed settings by identity: the first rule whose match fits (groups, email domain,
 * both ANDed) is merged onto the catch-all rule ({@code match: {}}). Allow-lists replace, deny-lists
 * and hook arrays union, record keys ({@code env}, ...) merge shallowly, other keys replace.
 */
public final class ManagedPolicies {
    private static final Set<String> UNION_PATHS = Set.of(
            "permissions.deny", "permissions.ask", "disabledMcpjsonServers", "deniedMcpServers", "blockedMarketplaces");
    private static final Set<String> RECORD_KEYS = Set.of("env", "modelOverrides", "skillOverrides");

    /** One rule: who it applies to, and the settings it gives them. */
    public record Rule(Set<String> groups, String emailDomain, ObjectNode settings) {
        /** Who a rule applies to, as configured: {@code groups} null when not restricted by group. */
        record Match(Set<String> groups, String emailDomain) {
            Match {
                if (groups != null && groups.isEmpty())
                    throw new Invalid("groups", "[]", "list at least one group, or leave groups out");
                if (emailDomain != null && !emailDomain.matches("^@?[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$"))
                    throw new Invalid("email_domain", emailDomain, "use one domain such as example.com");
            }
        }

        @JsonCreator
        static Rule of(@JsonProperty("match") Match match, @JsonProperty("settings") ObjectNode settings) {
            Set<String> groups = match == null || match.groups() == null ? Set.of() : match.groups();
            String domain = match == null ? null : match.emailDomain();
            return new Rule(
                    groups,
                    domain == null ? null : domain.toLowerCase(Locale.ROOT).replaceFirst("^@", ""),
                    settings == null ? JsonNodeFactory.instance.objectNode() : settings);
        }

        boolean catchAll() {
            return groups.isEmpty() && emailDomain == null;
        }

        boolean matches(String email, List<String> userGroups) {
            if (!groups.isEmpty() && userGroups.stream().noneMatch(groups::contains)) return false;
            return emailDomain == null
                    || (email != null && email.toLowerCase(Locale.ROOT).endsWith("@" + emailDomain));
        }
    }

    /** The settings that apply, in the wrapper Claude Code expects, and their checksum. */
    public record Effective(ObjectNode settings, String checksum) {
        public byte[] body() {
            return Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("uuid", checksum);
                g.writeStringField("checksum", checksum);
                g.writeFieldName("settings");
                g.writeTree(settings);
                g.writeEndObject();
            });
        }

        /** The models allowed, as configured names; null when the policy does not restrict models. */
        public List<String> availableModels() {
            JsonNode models = settings.get("availableModels");
            if (models == null || !models.isArray()) return null;
            List<String> names = new ArrayList<>();
            models.forEach(m -> names.add(m.asText()));
            return names;
        }
    }

    private final List<Rule> rules;
    /** Rules never change after start, so each one's merged settings and checksum are worked out once. */
    private final IdentityHashMap<Rule, Effective> merged = new IdentityHashMap<>();

    private final Effective baseOnly;

    public ManagedPolicies(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        Rule base = this.rules.stream().filter(Rule::catchAll).findFirst().orElse(null);
        for (Rule rule : this.rules) {
            if (rule.catchAll()) continue;
            ObjectNode settings =
                    base == null ? rule.settings().deepCopy() : base.settings().deepCopy();
            if (base != null) merge(settings, rule.settings(), "");
            merged.put(rule, new Effective(settings, checksum(settings)));
        }
        this.baseOnly = base == null ? null : new Effective(base.settings().deepCopy(), checksum(base.settings()));
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ManagedPolicies of(List<Rule> rules) {
        return new ManagedPolicies(rules == null ? List.of() : rules);
    }

    /**
     * The same rules with {@code base} laid under the catch-all (a catch-all of just {@code base} when there is
     * none), so every rule's own settings still win, key by key for records such as {@code env}.
     */
    public ManagedPolicies underlaid(ObjectNode base) {
        List<Rule> out = new ArrayList<>();
        boolean hadCatchAll = false;
        for (Rule rule : rules) {
            if (rule.catchAll()) {
                ObjectNode settings = base.deepCopy();
                merge(settings, rule.settings(), "");
                out.add(new Rule(rule.groups(), rule.emailDomain(), settings));
                hadCatchAll = true;
            } else {
                out.add(rule);
            }
        }
        if (!hadCatchAll) out.add(new Rule(Set.of(), null, base.deepCopy()));
        return new ManagedPolicies(out);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The settings for this person, or null when no rule applies (Claude Code then has no managed policy). */
    public Effective effective(String email, List<String> groups) {
        for (Rule rule : rules) {
            if (!rule.catchAll() && rule.matches(email, groups)) return merged.get(rule);
        }
        return baseOnly;
    }

    private static void merge(ObjectNode target, ObjectNode overlay, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overlay.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            String here = path.isEmpty() ? key : path + "." + key;
            JsonNode existing = target.get(key);
            JsonNode value = entry.getValue();
            if ((UNION_PATHS.contains(here) || here.startsWith("hooks."))
                    && existing instanceof ArrayNode list
                    && value.isArray()) {
                Set<JsonNode> seen = new LinkedHashSet<>();
                list.forEach(seen::add);
                value.forEach(seen::add);
                ArrayNode union = JsonNodeFactory.instance.arrayNode();
                seen.forEach(union::add);
                target.set(key, union);
            } else if (RECORD_KEYS.contains(here) && existing instanceof ObjectNode record && value.isObject()) {
                record.setAll((ObjectNode) value.deepCopy());
            } else if ((here.equals("permissions") || here.equals("hooks"))
                    && existing instanceof ObjectNode nested
                    && value.isObject()) {
                merge(nested, (ObjectNode) value, here);
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }

    /** {@code sha256:} of the JSON with keys sorted at every level and no whitespace, non-ASCII escaped. */
    static String checksum(JsonNode settings) {
        byte[] canonical = Json.write(g -> {
            g.enable(JsonGenerator.Feature.ESCAPE_NON_ASCII);
            writeSorted(g, settings);
        });
        return "sha256:" + Secrets.sha256(new String(canonical, StandardCharsets.UTF_8));
    }

    private static void writeSorted(JsonGenerator g, JsonNode node) throws IOException {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            node.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> entry : sorted.entrySet()) {
                g.writeFieldName(entry.getKey());
                writeSorted(g, entry.getValue());
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode item : node) writeSorted(g, item);
            g.writeEndArray();
        } else {
            g.writeTree(node);
        }
    }
}
