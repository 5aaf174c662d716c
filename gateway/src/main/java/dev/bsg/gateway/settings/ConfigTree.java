package dev.bsg.gateway.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The merged configuration: YAML, then {@code BSG_<SECTION>__<KEY>} environment overrides, then
 * {@code _file} / {@code _FILE} secret indirection. Typed getters name the key and the fix on bad
 * values, and every key read is remembered so unknown (misspelt) keys can be reported.
 */
public final class ConfigTree {
    private final ObjectNode root;
    private final Set<String> read = new TreeSet<>();
    // A _file that can't be read fails when its key is read: a misspelt key is then reported as unknown, not as a
    // missing file.
    private final Map<String, SettingsException> unreadable;

    ConfigTree(ObjectNode root) {
        this(root, Map.of());
    }

    private ConfigTree(ObjectNode root, Map<String, SettingsException> unreadable) {
        this.root = root;
        this.unreadable = unreadable;
    }

    static ConfigTree of(JsonNode yaml, Map<String, String> env) {
        ObjectNode root = yaml instanceof ObjectNode object ? object.deepCopy() : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (!variable.getKey().startsWith("BSG_") || !variable.getKey().contains("__")) continue;
            String[] path =
                    variable.getKey().substring(4).toLowerCase(Locale.ROOT).split("__");
            ObjectNode parent = root;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = parent.get(path[i]);
                parent = child instanceof ObjectNode object ? object : parent.putObject(path[i]);
            }
            parent.put(path[path.length - 1], variable.getValue());
        }
        Map<String, SettingsException> unreadable = new HashMap<>();
        resolveFiles(root, "", unreadable);
        return new ConfigTree(root, unreadable);
    }

    private static void resolveFiles(ObjectNode node, String prefix, Map<String, SettingsException> unreadable) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode value = node.get(name);
            if (value instanceof ObjectNode object) {
                resolveFiles(object, prefix + name + ".", unreadable);
            } else if (name.endsWith("_file") && value.isTextual()) {
                String key = name.substring(0, name.length() - "_file".length());
                try {
                    node.set(
                            key,
                            TextNode.valueOf(
                                    Files.readString(Path.of(value.asText())).strip()));
                    node.remove(name);
                } catch (IOException e) {
                    unreadable.put(
                            prefix + key,
                            new SettingsException(
                                    prefix + name,
                                    value.asText(),
                                    "the file can't be read (" + e.getMessage() + "); point it at a readable file"));
                }
            }
        }
    }

    private JsonNode node(String key) {
        read.add(key);
        SettingsException unread = unreadable.get(key);
        if (unread != null) throw unread;
        JsonNode at = root;
        for (String part : key.split("\\.")) {
            at = at == null ? null : at.get(part);
        }
        return at == null || at.isNull() ? null : at;
    }

    public boolean has(String key) {
        return node(key) != null;
    }

    public String string(String key, String fallback) {
        JsonNode value = node(key);
        if (value == null) return fallback;
        if (value.isContainerNode())
            throw new SettingsException(key, value.toString(), "expected a single value, not a list or section");
        String text = value.asText().strip();
        return text.isEmpty() ? fallback : text;
    }

    public int integer(String key, int fallback, int min, int max) {
        String text = string(key, null);
        if (text == null) return fallback;
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SettingsException(key, text, "use a whole number from " + min + " to " + max);
    }

    public long bytes(String key, long fallback) {
        String text = string(key, null);
        if (text == null) return fallback;
        String t = text.toUpperCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        if (t.endsWith("KB") || t.endsWith("MB") || t.endsWith("GB")) {
            unit = t.endsWith("KB") ? 1024 : t.endsWith("MB") ? 1024 * 1024 : 1024L * 1024 * 1024;
            t = t.substring(0, t.length() - 2);
        }
        try {
            long value = Long.parseLong(t) * unit;
            if (value > 0) return value;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SettingsException(key, text, "use a size such as 33554432, 512KB or 32MB");
    }

    public boolean bool(String key, boolean fallback) {
        String text = string(key, null);
        if (text == null) return fallback;
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new SettingsException(key, text, "use true or false");
        };
    }

    /** A YAML list, or a comma-separated string (as environment variables give). */
    public List<String> list(String key) {
        JsonNode value = node(key);
        List<String> out = new ArrayList<>();
        if (value == null) return out;
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (item.isContainerNode())
                    throw new SettingsException(key, item.toString(), "list items must be plain values");
                if (!item.asText().isBlank()) out.add(item.asText().strip());
            }
        } else if (value.isContainerNode()) {
            throw new SettingsException(key, value.toString(), "expected a list or a comma-separated value");
        } else {
            for (String part : value.asText().split(",")) if (!part.isBlank()) out.add(part.strip());
        }
        return out;
    }

    /** A section of name → value pairs. */
    public Map<String, String> map(String key) {
        JsonNode value = node(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null) return out;
        if (!value.isObject())
            throw new SettingsException(key, value.toString(), "expected a section of name: value pairs");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            read.add(key + "." + entry.getKey());
            out.put(entry.getKey(), entry.getValue().asText());
        }
        return out;
    }

    /** A list of sections, each read with its own typed getters. */
    public List<ConfigTree> sections(String key) {
        JsonNode value = node(key);
        List<ConfigTree> out = new ArrayList<>();
        if (value == null) return out;
        if (!value.isArray()) throw new SettingsException(key, value.toString(), "expected a list of sections");
        for (JsonNode item : value) {
            if (!item.isObject())
                throw new SettingsException(key, item.toString(), "each item must be a section of name: value pairs");
            out.add(new ConfigTree((ObjectNode) item));
        }
        read.add(key + ".*");
        return out;
    }

    /** A subtree as it stands (for open-ended sections such as a policy's settings); a copy. */
    public JsonNode raw(String key) {
        JsonNode value = node(key);
        read.add(key + ".*");
        return value == null ? null : value.deepCopy();
    }

    /** Keys present in the configuration that nothing read: almost always a typo. */
    public List<String> unknownKeys() {
        List<String> unknown = new ArrayList<>();
        collect(root, "", unknown);
        return unknown;
    }

    private void collect(JsonNode node, String prefix, List<String> unknown) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = prefix + entry.getKey();
            if (read.contains(key) || read.contains(key + ".*")) continue;
            if (entry.getValue().isObject()) collect(entry.getValue(), key + ".", unknown);
            else unknown.add(key);
        }
    }
}
