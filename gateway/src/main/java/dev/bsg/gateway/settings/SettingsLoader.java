package dev.bsg.gateway.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads {@link Settings}: the defaults ({@code defaults.yaml}, with the AWS variables' defaults on top), then the YAML
 * file (optional), then {@code BSG_} variables and {@code _file} secrets ({@link ConfigTree}), bound by {@link
 * ConfigBinding}.
 */
public final class SettingsLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ConfigBinding BINDING = new ConfigBinding();

    private SettingsLoader() {}

    public static Settings load(Path file, Map<String, String> env) {
        JsonNode yaml = null;
        if (file != null) {
            try {
                yaml = YAML.readTree(Files.readString(file));
            } catch (NoSuchFileException e) {
                throw new SettingsException("config file " + file
                        + " does not exist: create it (README.md, Configuration, lists every key) or leave --config"
                        + " out for the defaults");
            } catch (IOException e) {
                throw new SettingsException("config file " + file + " is not valid YAML: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
            if (yaml != null && !yaml.isObject() && !yaml.isMissingNode() && !yaml.isNull())
                throw new SettingsException("config file " + file
                        + " is not a YAML mapping: it must hold sections such as server: and upstream:");
        }
        ConfigTree tree = ConfigTree.of(defaults(env), yaml, env);
        return BINDING.bind(tree.root(), Settings.class, tree.unreadable());
    }

    /** The shipped defaults, with those AWS tools take from the environment. */
    private static ObjectNode defaults(Map<String, String> env) {
        ObjectNode defaults;
        try (InputStream in = SettingsLoader.class.getResourceAsStream("defaults.yaml")) {
            defaults = (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode upstream = (ObjectNode) defaults.get("upstream");
        upstream.putArray("regions")
                .add(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
        String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", env.get("AWS_ENDPOINT_URL"));
        if (endpoint != null && !endpoint.isBlank()) upstream.put("endpoint", endpoint);
        String caBundle = env.get("AWS_CA_BUNDLE");
        if (caBundle != null && !caBundle.isBlank()) upstream.put("ca_bundle", caBundle);
        return defaults;
    }
}
