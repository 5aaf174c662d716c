package dev.bsg.gateway.upstream;

import dev.bsg.protocol.translate.MessagesRequest;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each Bedrock model refuses of the Anthropic API: betas and body fields, from configuration
 * and learnt from the upstream's own 400 wording (then remembered per model), so a request that
 * Claude Code builds for the first-party API still goes through. A field and its paired beta go together.
 */
public final class Compatibility {
    /** Betas Bedrock documents for Claude; others are the first suspects when it says "invalid beta flag". */
    static final Set<String> BEDROCK_BETAS = Set.of(
            "computer-use-2024-10-22",
            "computer-use-2025-01-24",
            "token-efficient-tools-2025-02-19",
            "interleaved-thinking-2025-05-14",
            "output-128k-2025-02-19",
            "dev-full-thinking-2025-05-14",
            "context-1m-2025-08-07",
            "context-management-2025-06-27",
            "effort-2025-11-24",
            "tool-search-tool-2025-10-19",
            "tool-examples-2025-10-29");
    /** Body field → the prefixes of the betas that pair with it. */
    static final Map<String, List<String>> PAIRS = Map.of(
            "context_management", List.of("context-management-"),
            "output_config", List.of("effort-", "structured-outputs-"),
            "tags", List.of("request-tags-"),
            "safeguards", List.of("afk-mode-"));

    private static final Pattern EXTRA_FIELD = Pattern.compile(
            "(?:^|[\\s\"])([a-z_]+)(?:\\.[^:\\s]*)?: Extra inputs are not permitted|extraneous key \\[([a-z_]+)\\] is not permitted");

    private final Set<String> configuredBetas;
    private final Set<String> configuredFields;
    private final Map<String, Set<String>> learnedBetas = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> learnedFields = new ConcurrentHashMap<>();

    public Compatibility(Set<String> dropBetas, Set<String> dropFields) {
        this.configuredBetas = Set.copyOf(dropBetas);
        this.configuredFields = Set.copyOf(dropFields);
    }

    public Set<String> betasToDrop(String model) {
        return union(configuredBetas, learnedBetas.get(model));
    }

    public Set<String> fieldsToDrop(String model) {
        return union(configuredFields, learnedFields.get(model));
    }

    private static Set<String> union(Set<String> configured, Set<String> learned) {
        if (learned == null) return configured;
        Set<String> all = new HashSet<>(configured);
        all.addAll(learned);
        return all;
    }

    /**
     * Reads a 400's wording; when it names something this request sent that can be dropped, remembers
     * it for the model and returns true (the caller retries once).
     */
    public boolean learn(String model, String message, MessagesRequest request, String betaHeader) {
        if (message == null) return false;
        Set<String> sentBetas = request.betas(betaHeader);
        sentBetas.removeAll(betasToDrop(model));
        Set<String> dropped = fieldsToDrop(model);
        List<String> sentFields = request.keptFieldNames().stream()
                .filter(f -> !dropped.contains(f))
                .toList();
        Set<String> betas = new LinkedHashSet<>();
        Set<String> fields = new LinkedHashSet<>();
        if (message.contains("invalid beta flag")) {
            for (String beta : sentBetas) if (!BEDROCK_BETAS.contains(beta)) betas.add(beta);
        }
        Matcher m = EXTRA_FIELD.matcher(message);
        while (m.find()) {
            String field = m.group(1) != null ? m.group(1) : m.group(2);
            if (!sentFields.contains(field)) continue;
            fields.add(field);
            for (String prefix : PAIRS.getOrDefault(field, List.of())) {
                for (String beta : sentBetas) if (beta.startsWith(prefix)) betas.add(beta);
            }
        }
        if (betas.isEmpty() && fields.isEmpty()) return false;
        learnedBetas.computeIfAbsent(model, k -> ConcurrentHashMap.newKeySet()).addAll(betas);
        learnedFields.computeIfAbsent(model, k -> ConcurrentHashMap.newKeySet()).addAll(fields);
        return true;
    }
}
