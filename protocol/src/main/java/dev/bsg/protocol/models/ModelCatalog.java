package dev.bsg.protocol.models;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps the model names clients use to Bedrock IDs: the built-in catalog, configured aliases and
 * extra entries, the inference-profile prefix, and a rule for well-formed names not yet listed.
 */
public final class ModelCatalog {
    public static final Set<String> KNOWN_PREFIXES = Set.of("us", "eu", "apac", "jp", "au", "global", "us-gov", "ca");
    private static final Pattern CLAUDE_NAME = Pattern.compile("^claude-[a-z0-9]+(-[a-z0-9]+)*$");
    private static final Pattern DATED = Pattern.compile("^(.*)-(20[0-9]{6})$");

    private final Map<String, CatalogEntry> byName = new HashMap<>();
    private final Map<String, CatalogEntry> byBedrockId = new HashMap<>();
    private final List<CatalogEntry> entries = new ArrayList<>();
    private final Map<String, String> aliases;
    private final String prefix;

    /**
     * @param prefix the inference-profile prefix ({@code us}, {@code global}, ...) or empty for base IDs
     * @param aliases extra names → a catalog name, an Anthropic name or a Bedrock ID
     */
    public ModelCatalog(Collection<CatalogEntry> extraEntries, Map<String, String> aliases, String prefix) {
        for (CatalogEntry entry : builtIn()) add(entry);
        for (CatalogEntry entry : extraEntries) add(entry);
        this.aliases = new LinkedHashMap<>(aliases);
        this.prefix = prefix == null ? "" : prefix;
    }

    public static ModelCatalog standard(String prefix) {
        return new ModelCatalog(List.of(), Map.of(), prefix);
    }

    /** Claude Code's rule: the region's geography, else {@code global}. */
    public static String defaultPrefixFor(String region) {
        if (region == null) return "global";
        if (region.startsWith("us-gov-")) return "us-gov";
        if (region.startsWith("us-")) return "us";
        if (region.startsWith("eu-")) return "eu";
        if (region.startsWith("ap-")) return "apac";
        return "global";
    }

    private void add(CatalogEntry entry) {
        entries.removeIf(e -> e.anthropicId().equals(entry.anthropicId()));
        entries.add(entry);
        byName.put(entry.anthropicId(), entry);
        for (String alias : entry.aliases()) byName.put(alias, entry);
        byBedrockId.put(entry.bedrockId(), entry);
    }

    /** Whether an Anthropic ID is one of the catalog's models (built in or configured), not merely a well-formed name. */
    public boolean knows(String anthropicId) {
        CatalogEntry entry = anthropicId == null ? null : byName.get(anthropicId);
        return entry != null && entry.anthropicId().equals(anthropicId);
    }

    public List<CatalogEntry> entries() {
        return List.copyOf(entries);
    }

    /** The Bedrock ID for a name from the Anthropic door, or null when the name can't be a Claude model. */
    public ResolvedModel resolve(String asked) {
        String name = aliases.getOrDefault(asked, asked);
        CatalogEntry entry = byName.get(name);
        if (entry != null)
            return new ResolvedModel(asked, entry.anthropicId(), withPrefix(entry.bedrockId(), entry.prefixes()), true);
        if (BedrockModelIds.isValid(name) && (name.contains("anthropic.") || name.startsWith("arn:"))) {
            return new ResolvedModel(asked, anthropicIdOf(name), name, false);
        }
        if (CLAUDE_NAME.matcher(name).matches()) {
            String base = DATED.matcher(name).matches() ? "anthropic." + name + "-v1:0" : "anthropic." + name;
            return new ResolvedModel(asked, name, withPrefix(base, Set.of()), false);
        }
        return null;
    }

    /** The Anthropic ID for a Bedrock ID from the Bedrock door, for reporting; the ID itself when unknown. */
    public String anthropicIdOf(String bedrockId) {
        String base = baseIdOf(bedrockId);
        CatalogEntry entry = byBedrockId.get(base);
        if (entry != null) return entry.anthropicId();
        String name = nameOfBaseId(base);
        return name != null ? name : bedrockId;
    }

    /** {@code anthropic.claude-x-20250101-v1:0} → {@code claude-x-20250101}; null for other providers' ids. */
    public static String nameOfBaseId(String base) {
        return base.startsWith("anthropic.")
                ? base.substring("anthropic.".length()).replaceFirst("-v[0-9]+(:[0-9]+)?$", "")
                : null;
    }

    /** A Bedrock model ID without its ARN path and inference-profile prefix. */
    public static String baseIdOf(String bedrockId) {
        String base = bedrockId.substring(bedrockId.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        return dot > 0 && KNOWN_PREFIXES.contains(base.substring(0, dot)) ? base.substring(dot + 1) : base;
    }

    /** Whether a Bedrock model ID is called through global cross-region inference. */
    public static boolean isGlobal(String bedrockId) {
        return bedrockId.substring(bedrockId.lastIndexOf('/') + 1).startsWith("global.");
    }

    private String withPrefix(String baseId, Set<String> offered) {
        if (prefix.isEmpty() || baseId.startsWith("arn:")) return baseId;
        if (offered.isEmpty() || offered.contains(prefix)) return prefix + "." + baseId;
        if (offered.contains("global")) return "global." + baseId;
        return offered.iterator().next() + "." + baseId;
    }

    private static List<CatalogEntry> builtIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("catalog.csv")) {
            return parseCsv(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<CatalogEntry> parseCsv(String csv) {
        List<CatalogEntry> out = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new StringReader(csv))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] cells = line.split(",", -1);
                Set<String> prefixes =
                        new LinkedHashSet<>(Arrays.asList(cells[3].trim().split("\\s+")));
                prefixes.remove("");
                List<String> aliases = cells.length > 4 && !cells[4].isBlank()
                        ? Arrays.asList(cells[4].trim().split("\\s+"))
                        : List.of();
                out.add(new CatalogEntry(cells[0].trim(), cells[1].trim(), cells[2].trim(), prefixes, aliases));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
