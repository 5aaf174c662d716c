package dev.bsg.gateway.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The merged configuration before binding: defaults, then the YAML file, then {@code BSG_<SECTION>__<KEY>}
 * environment overrides, then {@code _file} / {@code _FILE} secret indirection. Blank values count as absent, so an
 * empty variable leaves the default in place.
 *
 * @param unreadable a {@code _file} that could not be read, by the key it stands for; reported only if that key
 *     exists, so a misspelt key is reported as unknown rather than as a missing file
 */
record ConfigTree(ObjectNode root, Map<String, SettingsException> unreadable) {
    /** Keys that name a file themselves rather than a secret read from one. */
    private static final Set<String> PLAIN_FILE_KEYS =
            Set.of("pricing.csv_file", "server.tls.cert_file", "server.tls.key_file");

    static ConfigTree of(ObjectNode defaults, JsonNode yaml, Map<String, String> env) {
        ObjectNode root = defaults.deepCopy();
        if (yaml instanceof ObjectNode object) overlay(root, object);
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (!variable.getKey().startsWith("BSG_") || !variable.getKey().contains("__")) continue;
            if (variable.getValue().isBlank()) continue;
            String[] path =
                    variable.getKey().substring(4).toLowerCase(Locale.ROOT).split("__");
            ObjectNode parent = root;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = parent.get(path[i]);
                parent = child instanceof ObjectNode section ? section : parent.putObject(path[i]);
            }
            parent.put(path[path.length - 1], variable.getValue().strip());
        }
        Map<String, SettingsException> unreadable = new HashMap<>();
        resolveFiles(root, "", unreadable);
        return new ConfigTree(root, unreadable);
    }

    /** Sections merge key by key; a value (or a list) replaces; a blank or null value leaves what was there. */
    private static void overlay(ObjectNode base, ObjectNode top) {
        top.fields().forEachRemaining(entry -> {
            JsonNode value = entry.getValue();
            JsonNode current = base.get(entry.getKey());
            if (value.isNull() || (value.isTextual() && value.asText().isBlank())) {
                if (current == null) base.set(entry.getKey(), value);
            } else if (value instanceof ObjectNode section && current instanceof ObjectNode existing) {
                overlay(existing, section);
            } else {
                base.set(
                        entry.getKey(),
                        value.isTextual() ? TextNode.valueOf(value.asText().strip()) : value);
            }
        });
    }

    private static void resolveFiles(ObjectNode node, String prefix, Map<String, SettingsException> unreadable) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode value = node.get(name);
            if (value instanceof ObjectNode object) {
                resolveFiles(object, prefix + name + ".", unreadable);
            } else if (name.endsWith("_file") && value.isTextual() && !PLAIN_FILE_KEYS.contains(prefix + name)) {
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
}
